;; A command that imports slight's messaging interface (not implemented by
;; silk yet) and calls it from _start.
(module
  (import "messaging" "pub::open" (func $open (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "my-pub")
  (func (export "canonical_abi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "canonical_abi_free") (param i32 i32 i32))
  (func (export "_start")
    (call $open (i32.const 0) (i32.const 6) (i32.const 64))))
