/* The functional pass (proofs/prove functional) reads every float and double
 * as a real number (WP's Typed+real model) and defines FLASHREF_REAL_MODEL.
 * Clauses written FR_REAL(...) exist only there: they state what the code
 * computes in exact arithmetic, which is false of rounded arithmetic, so the
 * run-time-error pass (machine floats) and the compilers never see them.
 * Ghost lemma calls and ghost assertions that serve those clauses are
 * wrapped in FR_REAL too. Ghost parameter lists and ghost loops, which a
 * macro argument cannot carry into an annotation, sit under
 * #if FR_REAL_MODEL instead.
 *
 * Clauses written FR_COUNT(...) are the transfer-count proof's: integer
 * facts about the words a function moves, true in every memory model, so
 * they are proved once, in the run-time-error pass (whose context holds
 * the integer lemmas of spec/Sizes.acsl and spec/TransferCount.acsl). The
 * functional pass, which has none of those lemmas, does not see them. */
#ifndef FLASHREF_REAL_MODEL_H
#define FLASHREF_REAL_MODEL_H

#if defined(__FRAMAC__) && defined(FLASHREF_REAL_MODEL)
#include "Exp.acsl"
#include "Log.acsl"
#include "Attention.acsl"
#include "OnlineSoftmax.acsl"
#include "StandardRows.acsl"
#define FR_REAL(...) __VA_ARGS__
#define FR_COUNT(...)
#define FR_REAL_MODEL 1
#else
#define FR_REAL(...)
#define FR_COUNT(...) __VA_ARGS__
#define FR_REAL_MODEL 0
#endif

#endif /* FLASHREF_REAL_MODEL_H */
