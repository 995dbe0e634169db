/* The laws pass (proofs/prove laws): every law that spec/Exp.acsl and
 * spec/Log.acsl assume of their opaque Exp and Log, restated of ACSL's \exp
 * and \log and proved. */
#define FLASHREF_EXP_LAWS
#include "Exp.acsl"
#include "Log.acsl"

/*@ lemma Exp_Positive_Holds: FR_LAW_EXP_POSITIVE(\exp);
    lemma Exp_Shift_Holds: FR_LAW_EXP_SHIFT(\exp);
    lemma Log_Exp_Holds: FR_LAW_LOG_EXP(\log, \exp); */
