"""In-app notifications (with unread counts) and their e-mails through the outbox."""
