;; A small module for `silk compile`: a loop, a call, memory and a table.
(module
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $sq $sum)
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $sum (export "sum") (param $n i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $sq (local.get $n))))
        (i32.store (local.get $n) (local.get $acc))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))
)
