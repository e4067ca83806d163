(; server_init_err.wat: server_init.wat whose on-server-init returns Err("boom") ;)
;; A v0.4+ HTTP app's entry point without routes: on-server-init returns
;; expected<unit, string> through a pointer: Ok, or Err("boom") when the byte
;; at 200 is 1 (server_init_err.wat sets it with a data segment).
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "\00")                       ;; ok result: tag 0
  (data (i32.const 32) "\01\00\00\00\40\00\00\00\04\00\00\00")  ;; err: tag 1, ptr 64, len 4
  (data (i32.const 64) "boom")
  (data (i32.const 200) "\01")
  (global $heap (mut i32) (i32.const 1024))
  (func (export "canonical_abi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (i32.add (local.get 3) (i32.const 8))))
    (local.get $p))
  (func (export "canonical_abi_free") (param i32 i32 i32))
  (func (export "on-server-init") (result i32)
    (if (result i32) (i32.load8_u (i32.const 200)) (then (i32.const 32)) (else (i32.const 16)))))
