;; Prints "sleeping" and sleeps 60 s in poll_oneoff (a relative
;; CLOCK_MONOTONIC subscription): a process that waits, for stop_signal_test.py.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "sleeping\n")
  (func (export "_start")
    (i32.store (i32.const 16) (i32.const 0))   ;; iovec: "sleeping\n"
    (i32.store (i32.const 20) (i32.const 9))
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
    ;; subscription at 64: userdata 0, tag 0 (clock), id 1 (monotonic), 60 s, relative
    (i32.store8 (i32.const 72) (i32.const 0))
    (i32.store (i32.const 80) (i32.const 1))
    (i64.store (i32.const 88) (i64.const 60000000000))
    (i64.store (i32.const 96) (i64.const 0))
    (i32.store16 (i32.const 104) (i32.const 0))
    (drop (call $poll (i32.const 64) (i32.const 128) (i32.const 1) (i32.const 192)))))
