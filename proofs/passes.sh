# The proof passes of flashref, sourced by proofs/prove and
# proofs/mutants/run so that a mutant is proved exactly as its pass is.
# The passes.  Each has WP options, a file list proofs/<pass>-files.txt (one
# path per line, relative to the repository root, '#' comments allowed) and
# the goal-name prefix of its memory model.
#  rte: run-time errors plus all contracts, in WP's default Typed model
#    (machine floats).  -warn-special-float none: an infinite or NaN result
#    is defined behaviour here (IEEE-754 semantics are part of the interface,
#    see include/flashref.h), so it must not become a proof obligation.
#  functional: what the code computes in exact arithmetic: floats and
#    doubles read as reals (Typed+real), FLASHREF_REAL_MODEL defined so that
#    the FR_REAL(...) clauses of src/real_model.h exist.
#  laws: the laws spec/Exp.acsl assumes of its opaque Exp, proved of ACSL's
#    \exp (proofs/exp_laws.c).
passes=(rte functional laws)
declare -A pass_opts=(
  [rte]="-wp-rte -warn-special-float none"
  [functional]="-wp-model Typed+real"
  [laws]="-wp-model Typed+real"
)
declare -A pass_defines=([rte]="" [functional]="-DFLASHREF_REAL_MODEL" [laws]="")
declare -A pass_prefix=([rte]=typed_ [functional]=typed_real_ [laws]=typed_real_)
# Seconds each prover may spend on a goal (FLASHREF_WP_TIMEOUT overrides).
# The functional pass's slowest goals (fr_tiled_head's assigns and the
# frames of its O and LSE across calls that write the fast buffers) take
# 5 to 17 s: 30 s leaves them room (proofs/README.md).
declare -A pass_timeout=([rte]=10 [functional]=30 [laws]=10)
