"""The ways a digest leaves the app: e-mail over SMTP and a JSON POST to a webhook.

Both run on the intranet: the SMTP relay and the webhook receiver (a chat robot gateway) are
configured addresses inside it. Each send carries the delivery's own message id (the e-mail's
Message-ID, the webhook's `message_id` and `Idempotency-Key`), the same on every attempt, so the far
end can recognise a repeat.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.request
from email.message import EmailMessage
from email.utils import formataddr

# Once the relay has answered the message, the goodbye may take at most this long.
QUIT_TIMEOUT_SECONDS = 2


class ChannelError(Exception):
    """A send that failed and may succeed when tried again."""


def send_email(config, *, to: str, to_name: str, subject: str, body: str, message_id: str) -> None:
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = formataddr((to_name, to))
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content(body, charset="utf-8")
    port = int(config.get("MAIL_PORT") or 25)
    timeout = float(config.get("MAIL_TIMEOUT", 20))
    try:
        if config.get("MAIL_USE_SSL"):
            client = smtplib.SMTP_SSL(config["MAIL_SERVER"], port, timeout=timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(config["MAIL_SERVER"], port, timeout=timeout)
        try:
            if config.get("MAIL_USE_TLS"):
                client.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                client.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            client.send_message(message)
        finally:
            _quit_quietly(client)
    except (smtplib.SMTPException, OSError) as exc:
        raise ChannelError(f"e-mail to {to} failed: {exc}") from exc


def _quit_quietly(client: smtplib.SMTP) -> None:
    # After the relay accepted the message, a slow or broken goodbye must neither hold up marking the
    # digest sent nor turn an accepted message into a failure (and so into a second copy).
    try:
        if client.sock is not None:
            client.sock.settimeout(QUIT_TIMEOUT_SECONDS)
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def post_webhook(url: str, payload: dict, *, message_id: str, timeout: float = 10) -> None:
    data = json.dumps({**payload, "message_id": message_id}, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "Idempotency-Key": message_id})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured intranet URL
            if response.status >= 300:
                raise ChannelError(f"webhook answered {response.status}")
    except OSError as exc:
        raise ChannelError(f"webhook failed: {exc}") from exc
