;;; cpdb-dape.el --- cpdb configurations for dape  -*- lexical-binding: t -*-

;; Load this file (or copy its form into your init file) after dape:
;;   (with-eval-after-load 'dape (load "/path/to/cpdb/editors/emacs/cpdb-dape.el"))
;; then M-x dape RET cpdb RET (or cpdb-module, cpdb-attach,
;; cpdb-attach-port).  cpdb must be on exec-path (or set command to its
;; full path).  In dape, nil is sent as JSON false and t as true.

;;; Code:

(require 'dape)

;; What every configuration shares: cpdb --dap on stdin and stdout.
(let ((adapter '(modes (python-mode python-ts-mode)
                 ensure dape-ensure-command
                 command "cpdb"
                 command-args ("--dap")
                 :type "cpdb")))
  (dolist (config
           `((cpdb ,@adapter
              :request "launch"
              :program dape-buffer-default
              :cwd dape-cwd
              :args []
              :stopOnEntry nil
              :justMyCode t)
             (cpdb-module ,@adapter
              :request "launch"
              :module (lambda () (read-string "Module: "))
              :cwd dape-cwd
              :args [])
             (cpdb-attach ,@adapter
              :request "attach"
              :pid (lambda () (read-number "Attach to pid: ")))
             (cpdb-attach-port ,@adapter
              :request "attach"
              :host "127.0.0.1"
              :port (lambda () (read-number "Port of cpdb --listen: "))
              :token (lambda () (read-string "Token: ")))))
    (add-to-list 'dape-configs config)))

(provide 'cpdb-dape)
;;; cpdb-dape.el ends here
