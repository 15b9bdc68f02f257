"""Notifications: the kinds of e-mail people receive (hook ``notification_kinds``), the
kinds each person switched off and their mail language (:mod:`.preferences`), who receives
a staff notice (:mod:`.recipients`), the texts rendered from templates a region may
override (:mod:`.templates`), the account page (:mod:`.pages`) and what the GDPR export
shows (:mod:`.privacy`). The e-mails go through the outbox (:mod:`campagne.outbox`)."""
