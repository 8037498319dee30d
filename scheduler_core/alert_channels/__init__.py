"""Adapters of the ChannelSender port: signed webhooks (urllib) and Django's email."""

from .email import EmailSender
from .webhook import WebhookSender, sign

__all__ = ["EmailSender", "WebhookSender", "sign"]
