"""`protokoll eval`: text and structure against the truth; may import the stages and the core."""
