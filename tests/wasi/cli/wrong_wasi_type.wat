;; A WASI function imported with the wrong type: unlinkable, exit 1.
(module
  (import "wasi_snapshot_preview1" "fd_close" (func (param i64) (result i32)))
  (func (export "_start")))
