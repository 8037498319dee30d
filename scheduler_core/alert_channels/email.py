"""Email through Django's email backend (EMAIL_BACKEND, EMAIL_HOST, EMAIL_TIMEOUT...)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from scheduler_core.domain.ports.alerts import ChannelSender, Delivery, DeliveryFailed


class EmailSender(ChannelSender):
    """Sends a notification as a plain-text email to the channel's addresses."""

    def send(self, delivery: Delivery) -> None:
        """Send it; DeliveryFailed if the backend refuses or cannot connect."""
        domain = getattr(settings, "ALERT_EMAIL_DOMAIN", "scheduler.invalid")
        message = EmailMessage(
            subject=delivery.subject,
            body=delivery.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=list(delivery.channel.to),
            # The same on every retry, so a mail client can drop a repeat.
            headers={
                "Message-ID": f"<{delivery.delivery_id}@{domain}>",
                "X-Scheduler-Alert": delivery.event,
            },
        )
        try:
            sent = message.send(fail_silently=False)
        except Exception as error:
            raise DeliveryFailed(f"email not sent: {error}") from error
        if not sent:
            raise DeliveryFailed("email not sent: the backend accepted none")
