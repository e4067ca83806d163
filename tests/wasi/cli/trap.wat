;; _start -> outer -> inner, which hits unreachable: silk run must print the
;; trap and a backtrace with these names (from the name section) and exit 134.
(module
  (func $inner (unreachable))
  (func $outer (call $inner))
  (func (export "_start") (call $outer)))
