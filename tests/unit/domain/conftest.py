"""Let pytest explain failed asserts inside the builders module too."""

import pytest

pytest.register_assert_rewrite("tests.unit.domain.builders")
