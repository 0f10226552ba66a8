# Held-out malformed scenarios: each exits 1 with FILE:LINE:COL: error: expected ..., found ...
run tests/golden/data/heldout_err_address.scn
run tests/golden/data/heldout_err_chack.scn
run tests/golden/data/heldout_err_indent.scn
run tests/golden/data/heldout_err_missing.scn
run tests/golden/data/heldout_err_policy.scn
run tests/golden/data/heldout_err_range.scn
run tests/golden/data/heldout_err_reject.scn
run tests/golden/data/heldout_err_typo.scn
