"""Never imported: the registry tests prove that looking a name up imports nothing."""

raise AssertionError("the registry imported a module named by its caller")
