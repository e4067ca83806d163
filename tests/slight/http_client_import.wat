;; A command that imports slight's http-client interface (not implemented by
;; silk yet) and calls it from _start.
(module
  (import "http-client" "request"
    (func $request (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "canonical_abi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "canonical_abi_free") (param i32 i32 i32))
  (func (export "_start")
    (call $request (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                   (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 64))))
