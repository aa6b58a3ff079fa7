from tests.isolation.sweep import world  # noqa: F401 - the fixture every sweep test takes
