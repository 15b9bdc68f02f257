"""The mail outbox: every e-mail is written to the database in the transaction of the change
that causes it (:func:`campagne.outbox.queue.queue_mail`) and sent afterwards by
``campagne worker`` (:func:`campagne.outbox.sending.send_due`), retried with back-off, once.
See docs/decisions/0022-mail-outbox.md."""
