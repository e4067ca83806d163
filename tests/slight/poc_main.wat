;; A POC-style module (wasm32-unknown-unknown: no WASI, no _start) whose entry
;; point is main(i32, i32) -> i32; it opens "my-container" through keyvalue and
;; returns 0 if the open succeeded, 10 + the error case otherwise.
(module
  (import "keyvalue" "keyvalue::open" (func $open (param i32 i32 i32)))
  (import "canonical_abi" "resource_drop_keyvalue" (func $drop (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "my-container")
  (global $heap (mut i32) (i32.const 1024))
  (func (export "canonical_abi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (i32.add (local.get 3) (i32.const 8))))
    (local.get $p))
  (func (export "canonical_abi_free") (param i32 i32 i32))
  (func (export "main") (param i32 i32) (result i32)
    (call $open (i32.const 16) (i32.const 12) (i32.const 64))
    (if (i32.load8_u (i32.const 64))
      (then (return (i32.add (i32.const 10) (i32.load8_u (i32.const 68))))))
    (call $drop (i32.load (i32.const 68)))
    (i32.const 0)))
