"""The mail server answers: connect to ``CAMPAGNE_SMTP_HOST:PORT``, say EHLO, and upgrade
with STARTTLS when configured. Nothing is sent and nobody signs in."""

from __future__ import annotations

import smtplib
import ssl

from campagne.doctor.finding import Deployment, Finding, fail, ok

CHECK = "smtp"
#: Seconds to wait for the mail server.
TIMEOUT = 5


def check_smtp(deployment: Deployment) -> list[Finding]:
    """Whether the mail server takes a connection and greets us."""
    settings = deployment.settings
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    fix = ("check CAMPAGNE_SMTP_HOST and CAMPAGNE_SMTP_PORT, that the mail server runs and "
           "that no firewall stands between them; e-mails wait in the outbox meanwhile")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT) as client:
            code, _ = client.ehlo()
            if code != 250:
                return [fail(CHECK, f"the mail server at {where} refused EHLO ({code})", fix)]
            if settings.smtp_starttls:
                if not client.has_extn("starttls"):
                    return [fail(CHECK, f"the mail server at {where} does not offer STARTTLS",
                                 "set CAMPAGNE_SMTP_STARTTLS=false if it is a local relay, "
                                 "or use the port where it offers STARTTLS (587)")]
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
    except ssl.SSLError as exc:
        return [fail(CHECK, f"STARTTLS with the mail server at {where} failed: "
                            f"{exc.reason or exc}",
                     "check the server's certificate (its name must be CAMPAGNE_SMTP_HOST)")]
    except (OSError, smtplib.SMTPException) as exc:
        return [fail(CHECK, f"cannot reach the mail server at {where}: {_reason(exc)}", fix)]
    tls = " with STARTTLS" if settings.smtp_starttls else ""
    return [ok(CHECK, f"the mail server at {where} answers{tls}")]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return f"no answer within {TIMEOUT} s"
    return str(exc) or type(exc).__name__
