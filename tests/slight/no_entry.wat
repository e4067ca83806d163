;; Neither _start, on-server-init nor main: nothing to run.
(module (memory (export "memory") 1) (func (export "something")))
