/* The laws pass (proofs/prove laws): every law that spec/Exp.acsl assumes
 * of its opaque Exp, restated of ACSL's \exp and proved. */
#define FLASHREF_EXP_LAWS
#include "Exp.acsl"

/*@ lemma Exp_Positive_Holds: FR_LAW_EXP_POSITIVE(\exp);
    lemma Exp_Shift_Holds: FR_LAW_EXP_SHIFT(\exp); */
