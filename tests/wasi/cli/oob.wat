;; _start -> poke, which loads past the end of its one-page memory: the
;; guard region turns it into a SIGSEGV that silk reports as a trap
;; ("out of bounds memory access", exit 134) — hosted and inside silk's VM.
(module
  (memory 1)
  (func $poke (result i32) (i32.load (i32.const 0x20000)))
  (func (export "_start") (drop (call $poke))))
