;; A reactor: _initialize sets $base, exports take and return every number type.
(module
  (global $base (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $base (i32.const 10)))
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (global.get $base) (i32.add (local.get 0) (local.get 1))))
  (func (export "wide") (param i64 f64 f32) (result i64 f64 f32)
    (local.get 0) (f64.mul (local.get 1) (f64.const 2)) (local.get 2)))
