"""Review: diffs, the review web app, decisions and the static report (see README, Review)."""
