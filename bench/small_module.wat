;; The "small module" of the instantiation benchmark: what a tiny request
;; handler looks like — one page of memory with a data segment, a mutable
;; global, a table with an element segment, a handful of functions, exports.
(module
  (type $binop (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $counter (mut i32) (i32.const 0))
  (table 4 funcref)
  (elem (i32.const 0) $add $sub $mul $add)
  (data (i32.const 1024) "hello, silk! this is the small module's data segment.")
  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (func $mul (type $binop) (i32.mul (local.get 0) (local.get 1)))
  (func (export "apply") (param $op i32) (param $a i32) (param $b i32) (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (call_indirect (type $binop) (local.get $a) (local.get $b) (local.get $op)))
  (func (export "checksum") (result i32)
    (local $i i32) (local $h i32)
    (loop $l
      (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31))
                             (i32.load8_u offset=1024 (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 54))))
    (local.get $h)))
