;; An import that is not WASI: silk run names it and exits 1.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "env" "mystery" (func))
  (func (export "_start")))
