"""Password rules and hashing (ASVS 5.0 6.2.1, 6.2.5, 6.2.9, 11.4.2)."""

from __future__ import annotations

from campagne.auth.passwords import hash_password, password_problem, verify_password
from campagne.settings import CampagneSettings


def test_length_is_the_only_rule() -> None:
    assert password_problem("x" * 11) is not None
    assert password_problem("x" * 12) is None
    assert password_problem("lowercase only, no digits") is None
    assert password_problem("é" * 64) is None
    assert password_problem("x" * 129) is not None


def test_argon2id_with_current_parameters_by_default() -> None:
    defaults = CampagneSettings.model_fields
    assert defaults["argon2_time_cost"].default >= 2
    assert defaults["argon2_memory_kib"].default >= 19 * 1024  # OWASP's Argon2id minimum
    settings = CampagneSettings()
    stored = hash_password(settings, "correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert verify_password(settings, stored, "correct horse battery staple")
    assert not verify_password(settings, stored, "Correct horse battery staple")
    assert not verify_password(settings, None, "anything at all")
