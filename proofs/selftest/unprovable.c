/* Self-test of the proof gate: one goal here is false on purpose, so
 * proofs/prove must fail on this file.  The other goals are true, so a
 * failure cannot come from a broken prover setup alone. */

/*@ requires 0 <= x <= 1000;
    assigns \nothing;
    ensures true_on_purpose: \result == 2 * x; */
int twice(int x)
{
    int y = x + x;
    /*@ assert false_on_purpose: y == x; */
    return y;
}
