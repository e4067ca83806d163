;; Every assertion here is wrong: `silk wast` must report each one as a
;; failure, in the "FILE:LINE: COMMAND: expected X, got Y" format.
(module
  (func (export "one") (result i32) (i32.const 1))
  (func (export "nan") (result f32) (f32.const nan:0x1))
)
(assert_return (invoke "one") (i32.const 2))
(assert_return (invoke "nan") (f32.const nan:arithmetic))
(assert_trap (invoke "one") "unreachable")
(assert_invalid (module (func)) "type mismatch")
(assert_malformed (module binary "\00asm\01\00\00\00") "unexpected end")
(assert_unlinkable (module) "unknown import")
(assert_trap (module) "unreachable")
