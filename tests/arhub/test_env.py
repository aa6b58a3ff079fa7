import pytest

from arhub.env import EnvError, env_bool, env_database, env_int, env_list, env_str


def test_str_required_names_the_variable():
    with pytest.raises(EnvError, match="SECRET_KEY"):
        env_str("SECRET_KEY", environ={})


def test_str_default_and_value():
    assert env_str("X", default="d", environ={}) == "d"
    assert env_str("X", environ={"X": "v"}) == "v"


def test_required_str_refuses_empty():
    with pytest.raises(EnvError, match="X: must not be empty"):
        env_str("X", environ={"X": ""})


def test_file_variant_is_read_and_stripped(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    assert env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(secret)}) == "s3cret"


def test_file_variant_unreadable(tmp_path):
    with pytest.raises(EnvError, match="SECRET_KEY_FILE"):
        env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(tmp_path / "missing")})


def test_both_variants_is_an_error(tmp_path):
    with pytest.raises(EnvError, match="either"):
        env_str("A", environ={"A": "1", "A_FILE": str(tmp_path)})


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), ("on", True), ("0", False), ("no", False)]
)
def test_bool_values(raw, expected):
    assert env_bool("DEBUG", environ={"DEBUG": raw}) is expected


def test_bool_refuses_other_words():
    with pytest.raises(EnvError, match="DEBUG: expected one of"):
        env_bool("DEBUG", environ={"DEBUG": "maybe"})


def test_int_bounds():
    assert env_int("N", environ={"N": " 42 "}) == 42
    with pytest.raises(EnvError, match="N: expected a whole number"):
        env_int("N", environ={"N": "4.2"})
    with pytest.raises(EnvError, match="at least 1"):
        env_int("N", minimum=1, environ={"N": "0"})
    with pytest.raises(EnvError, match="at most 9"):
        env_int("N", maximum=9, environ={"N": "10"})


def test_list():
    assert env_list("H", environ={"H": "a.com, b.com"}) == ["a.com", "b.com"]
    with pytest.raises(EnvError, match="empty item"):
        env_list("H", environ={"H": "a.com,,b.com"})


def test_database_url_must_be_postgres():
    parsed = env_database("DATABASE_URL", environ={"DATABASE_URL": "postgresql://u:p@db:5433/x"})
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert (parsed["HOST"], parsed["PORT"], parsed["NAME"]) == ("db", 5433, "x")
    with pytest.raises(EnvError, match="DATABASE_URL: must be a postgresql:// URL"):
        env_database("DATABASE_URL", environ={"DATABASE_URL": "sqlite:///db.sqlite3"})


def test_database_url_with_socket_directory():
    parsed = env_database(
        "DATABASE_URL", environ={"DATABASE_URL": "postgresql://postgres@%2Ftmp%2Fpg:5432/arhub"}
    )
    assert parsed["HOST"] == "/tmp/pg"


def test_database_default_is_parsed_too():
    parsed = env_database("DATABASE_URL", default="postgresql://u@h:5432/d", environ={})
    assert parsed["NAME"] == "d"
