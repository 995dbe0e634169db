/* Proofs of the laws of src/lemmas_bound.h (ghost code only). */
#include "lemmas_bound.h"
#include "lemmas_count.h"
#include "lemmas_size.h"

/*@ ghost
  void Default_Rows_Large(size_t m, size_t d)
  {
    size_t m6 = m / 6;
    size_t q6 = m6 / d;
    size_t c = q6 < 1 ? 1 : (q6 > d ? d : q6);
    /@ assert cols: c == DefaultColsFull(m, d) && 1 <= c <= d; @/
    size_t two_d = 2 * d;
    size_t p = two_d + c + 2;
    /@ assert per_row: p == 2 * d + c + 2; @/
    if (c == 1) {
      /@ assert room: 2 * c * d + p <= m; @/
      size_t left = m - 2 * c * d;
      /@ assert left_value: left == m - 2 * d; @/
      size_t k = left / p;
      /@ assert cols_one: DefaultColsFull(m, d) == 1 && p == 2 * d + 3; @/
      /@ assert k_value: k == (m - 2 * d) / (2 * d + 3); @/
      /@ assert rows: k == DefaultRowsFull(m, d); @/
      /@ assert positive: k >= 1; @/
      /@ assert floor: left < k * p + p; @/
      size_t w = 4 * d + 2;
      Mul_Ge(w, k);
      /@ assert key: k * (4 * d + 3 - c) >= (2 * d + 1) * (c + 1); @/
      /@ assert split: (6 * d + 5) * k == k * p + k * (4 * d + 3 - c); @/
      /@ assert large: (6 * d + 5) * k >= m; @/
    } else {
      Mul_Mono(c, q6, d);
      /@ assert quotient: q6 * d <= m6 && 6 * m6 <= m; @/
      /@ assert six: 6 * (c * d) <= m; @/
      size_t two = 2;
      Mul_Mono(two, c, d);
      /@ assert room: 2 * c * d + p <= m; @/
      size_t left = m - 2 * c * d;
      /@ assert left_value: left == m - 2 * c * d; @/
      size_t k = left / p;
      /@ assert rows: k == (m - 2 * c * d) / (2 * d + c + 2) == DefaultRowsFull(m, d); @/
      /@ assert positive: k >= 1; @/
      /@ assert floor: left < k * p + p; @/
      size_t c2 = c + 2;
      Mul_Mono(c2, two_d, c);
      /@ assert expand: c * p == c * two_d + c2 * c && c2 * c <= two_d * c; @/
      /@ assert big: c * p <= left; @/
      if (k < c) {
        size_t k1 = k + 1;
        Mul_Mono(k1, c, p);
        /@ assert next: k1 * p == k * p + p; @/
        /@ assert contradiction: \false; @/
      }
      /@ assert k_ge_c: k >= c; @/
      size_t w = 4 * d + 3 - c;
      Mul_Mono(c, k, w);
      size_t d2 = d + 2;
      size_t room = 2 * d + 2 - c;
      Mul_Mono(d2, room, c);
      Mul_Mono(two, c, d2);
      /@ assert at_c: c * (2 * d + 2 - c) >= 2 * d + 4; @/
      /@ assert key: k * (4 * d + 3 - c) >= (2 * d + 1) * (c + 1); @/
      /@ assert split: (6 * d + 5) * k == k * p + k * (4 * d + 3 - c); @/
      /@ assert large: (6 * d + 5) * k >= m; @/
    }
  }

  void TiledKeys_AtMost(fr_causal causal, size_t t, size_t nq, size_t nk,
                        size_t br, size_t bc)
  {
    size_t x = 0;
    /@ loop invariant range: 0 <= x <= t;
       loop invariant sum: 0 <= TiledKeys(causal, x, nq, nk, br, bc) <= x * nk;
       loop assigns x;
       loop variant t - x; @/
    while (x < t) {
      /@ assert step: TiledKeys(causal, x + 1, nq, nk, br, bc) ==
                      TiledKeys(causal, x, nq, nk, br, bc) + KeysLoaded(causal, x, nq, nk, br, bc); @/
      /@ assert visible: VisibleKeys(causal, x * br + BlockRows(x, nq, br) - 1, nq, nk) >= 0; @/
      /@ assert loaded: 0 <= KeysLoaded(causal, x, nq, nk, br, bc) <= nk; @/
      /@ assert next: (x + 1) * nk == x * nk + nk; @/
      x++;
    }
    /@ assert done: x == t; @/
  }

  void Bound_TiledHead(fr_causal causal, size_t nq, size_t nk, size_t d,
                       size_t br, size_t bc, size_t m)
  {
    size_t q = nq / br;
    size_t r = nq % br;
    /@ assert euclid: nq == q * br + r && 0 <= r < br; @/
    size_t t = q;
    if (r != 0) {
      Mul_Ge(q, br);
      /@ assert short: q <= q * br < nq; @/
      t = q + 1;
      /@ assert next: t == q + 1 && t * br == q * br + br; @/
      /@ assert reach_up: nq < t * br < nq + br && t >= 1; @/
    } else {
      /@ assert reach_exact: t * br == nq && t >= 1; @/
    }
    /@ assert reach: nq <= t * br < nq + br && t >= 1; @/
    Last_Block(t, nq, br);
    TiledKeys_AtMost(causal, t, nq, nk, br, bc);
    size_t n = nq >= nk ? nq : nk;
    /@ assert longest: n == MaxLen(nq, nk) && nq <= n && nk <= n; @/
    /@ assert reads: TiledHeadReads(causal, nq, nk, d, br, bc) ==
                     nq * d + 2 * (TiledKeys(causal, t, nq, nk, br, bc) * d); @/
    /@ assert writes: TiledHeadWrites(nq, d) == nq * d + nq; @/
    /@ assert key_part: TiledKeys(causal, t, nq, nk, br, bc) * d >= 0 && nq * d >= 0; @/
    /@ assert reads_nonnegative: TiledHeadReads(causal, nq, nk, d, br, bc) >= 0; @/
    Mul_Mono(nq, n, d);
    Mul_Ge(n, d);
    /@ assert q_part: 2 * (nq * d) + nq <= 3 * (n * d); @/
    /@ assert first_term: (12 * d + 10) * n * n * d >= 0; @/
    /@ assert bound_value: TiledBoundTimesM(nq, nk, d, m) == (12 * d + 10) * n * n * d + 5 * n * d * m; @/
    if (br >= nq) {
      /@ assert one_block: t == 1; @/
      /@ assert keys: TiledKeys(causal, t, nq, nk, br, bc) <= n; @/
      /@ assert key_words: Words(TiledKeys(causal, t, nq, nk, br, bc), d) <= Words(n, d); @/
      /@ assert total: TiledHeadReads(causal, nq, nk, d, br, bc) + TiledHeadWrites(nq, d) <= 5 * (n * d); @/
      /@ assert scaled_words: Words(TiledHeadReads(causal, nq, nk, d, br, bc) + TiledHeadWrites(nq, d), m) <=
                              Words(5 * (n * d), m); @/
      /@ assert scaled: m * (TiledHeadReads(causal, nq, nk, d, br, bc) + TiledHeadWrites(nq, d)) <= 5 * n * d * m; @/
      /@ assert within: m * (TiledHeadReads(causal, nq, nk, d, br, bc) + TiledHeadWrites(nq, d)) <=
                        TiledBoundTimesM(nq, nk, d, m); @/
    } else {
      size_t t1 = t - 1;
      /@ assert t1_value: t1 == t - 1 && t == t1 + 1; @/
      /@ assert distrib: t1 * br + br == t * br; @/
      /@ assert before_last: t1 * br <= nq - 1; @/
      /@ assert wide_words: Words(m, t1) <= Words((6 * d + 5) * br, t1) &&
                            Words(t1 * br, 6 * d + 5) <= Words(nq - 1, 6 * d + 5) &&
                            Words(nq - 1, 6 * d + 5) <= Words(n, 6 * d + 5); @/
      /@ assert wide: m * t1 <= (6 * d + 5) * br * t1 == (6 * d + 5) * (t1 * br) &&
                      (6 * d + 5) * (t1 * br) <= (6 * d + 5) * (nq - 1) <= (6 * d + 5) * n; @/
      /@ assert m_t: m * t == m * t1 + m; @/
      /@ assert blocks_n: m * t <= (6 * d + 5) * n + m; @/
      /@ assert keys_words: Words(nk, t) <= Words(n, t); @/
      /@ assert keys: TiledKeys(causal, t, nq, nk, br, bc) <= t * n; @/
      /@ assert keys_m_words: Words(TiledKeys(causal, t, nq, nk, br, bc), m) <= Words(t * n, m) &&
                              Words(m * t, n) <= Words((6 * d + 5) * n + m, n); @/
      /@ assert keys_m0: Words(TiledKeys(causal, t, nq, nk, br, bc), m) == TiledKeys(causal, t, nq, nk, br, bc) * m &&
                         Words(t * n, m) == (t * n) * m; @/
      /@ assert keys_m1: m * TiledKeys(causal, t, nq, nk, br, bc) <= m * (t * n); @/
      /@ assert keys_m2: m * (t * n) == (m * t) * n; @/
      /@ assert keys_m3: (m * t) * n <= ((6 * d + 5) * n + m) * n; @/
      /@ assert keys_m: m * TiledKeys(causal, t, nq, nk, br, bc) <= n * ((6 * d + 5) * n + m); @/
      /@ assert key_words_words: Words(m * TiledKeys(causal, t, nq, nk, br, bc), 2 * d) <=
                                 Words(n * ((6 * d + 5) * n + m), 2 * d); @/
      /@ assert key_words: m * (2 * (TiledKeys(causal, t, nq, nk, br, bc) * d)) <=
                           (12 * d + 10) * n * n * d + 2 * n * d * m; @/
      /@ assert q_words: Words(2 * (nq * d) + nq, m) <= Words(3 * (n * d), m); @/
      /@ assert scaled: m * (TiledHeadReads(causal, nq, nk, d, br, bc) + TiledHeadWrites(nq, d)) <=
                        (12 * d + 10) * n * n * d + 5 * n * d * m; @/
      /@ assert within: m * (TiledHeadReads(causal, nq, nk, d, br, bc) + TiledHeadWrites(nq, d)) <=
                        TiledBoundTimesM(nq, nk, d, m); @/
    }
  }

  void Bound_TiledDefault(fr_causal causal, size_t nq, size_t nk, size_t d,
                          size_t m, size_t br, size_t bc, size_t heads)
  {
    Default_Rows_Large(m, d);
    /@ assert rows: br >= nq || (6 * d + 5) * br >= m; @/
    Bound_TiledHead(causal, nq, nk, d, br, bc, m);
    /@ assert all_reads: TiledReads(causal, nq, nk, d, br, bc, heads) ==
                         heads * TiledHeadReads(causal, nq, nk, d, br, bc); @/
    /@ assert all_writes: TiledWrites(nq, d, heads) == heads * TiledHeadWrites(nq, d); @/
    /@ assert factor: m * (heads * TiledHeadReads(causal, nq, nk, d, br, bc) + heads * TiledHeadWrites(nq, d)) ==
                      heads * (m * (TiledHeadReads(causal, nq, nk, d, br, bc) + TiledHeadWrites(nq, d))); @/
    /@ assert scaled_words: Words(m * (TiledHeadReads(causal, nq, nk, d, br, bc) + TiledHeadWrites(nq, d)), heads) <=
                            Words(TiledBoundTimesM(nq, nk, d, m), heads); @/
    /@ assert scaled: heads * (m * (TiledHeadReads(causal, nq, nk, d, br, bc) + TiledHeadWrites(nq, d))) <=
                      heads * TiledBoundTimesM(nq, nk, d, m); @/
  }

  void Growth_StandardHead(size_t nq, size_t nk, size_t d, size_t br, size_t m)
  {
    size_t t = nq / br + (nq % br != 0);
    Ceil_Idiom(nq, br);
    /@ assert blocks: t == CeilDiv(nq, br) && 1 <= t && nq <= t * br < nq + br; @/
    Standard_HeadCounts(nq, nk, d, br, t);
    /@ assert kv: (2 * t) * (nk * d) == 2 * (t * (nk * d)); @/
    /@ assert scores: (4 * nq) * nk == 4 * (nq * nk) && (2 * nq) * nk == 2 * (nq * nk); @/
    /@ assert cost: StandardHeadReads(nq, nk, d, br) + StandardHeadWrites(nq, nk, d) ==
                    2 * (nq * d) + nq + 6 * (nq * nk) + 2 * (t * (nk * d)); @/
    /@ assert growth: StandardGrowth(nq, nk, d) == nq * d + nk * d + nq * nk; @/
    /@ assert kv_once_words: Words(1, nk * d) <= Words(t, nk * d); @/
    /@ assert kv_once: nk * d <= t * (nk * d); @/
    /@ assert q_words: Words(1, nq) <= Words(d, nq); @/
    /@ assert q_rows: nq <= nq * d; @/
    if (br >= nq) {
      /@ assert one_block: t == 1; @/
      /@ assert one_pass: t * (nk * d) == nk * d; @/
    } else {
      /@ assert rows_large: (6 * d + 5) * br >= m; @/
      /@ assert eleven_words: Words(6 * d + 5, br) <= Words(11 * d, br); @/
      /@ assert eleven: m >= d * d ==> d * d <= d * (11 * br); @/
      /@ assert above_words: m >= d * d ==> d >= 11 * br + 1 ==> Words(11 * br + 1, d) <= Words(d, d); @/
      /@ assert above: m >= d * d ==> d >= 11 * br + 1 ==> d * (11 * br) + d <= d * d; @/
      /@ assert narrow: m >= d * d ==> d <= 11 * br; @/
      /@ assert before_last: (t - 1) * br < nq; @/
      /@ assert t1_words: m >= d * d ==> Words(d, t - 1) <= Words(11 * br, t - 1); @/
      /@ assert t1_rows: m >= d * d ==> (t - 1) * d <= 11 * ((t - 1) * br) <= 11 * nq; @/
      /@ assert t_d: m >= d * d ==> t * d <= 11 * nq + d; @/
      /@ assert kv_words: m >= d * d ==> Words(t * d, nk) <= Words(11 * nq + d, nk); @/
      /@ assert kv_bound: m >= d * d ==> t * (nk * d) == (t * d) * nk && (t * d) * nk <= 11 * (nq * nk) + nk * d; @/
    }
    /@ assert kv_most: m >= d * d ==> t * (nk * d) <= 11 * (nq * nk) + nk * d; @/
  }

  void Growth_StandardDefault(size_t nq, size_t nk, size_t d, size_t m, size_t br,
                              size_t heads)
  {
    Default_Rows_Large(m, d);
    /@ assert rows: br >= 1 && (br >= nq || (6 * d + 5) * br >= m); @/
    Growth_StandardHead(nq, nk, d, br, m);
    /@ assert all_reads: StandardReads(nq, nk, d, br, heads) == heads * StandardHeadReads(nq, nk, d, br); @/
    /@ assert all_writes: StandardWrites(nq, nk, d, heads) == heads * StandardHeadWrites(nq, nk, d); @/
    /@ assert sum: StandardReads(nq, nk, d, br, heads) + StandardWrites(nq, nk, d, heads) ==
                   heads * (StandardHeadReads(nq, nk, d, br) + StandardHeadWrites(nq, nk, d)); @/
    /@ assert low_words: Words(2 * StandardGrowth(nq, nk, d), heads) <=
                         Words(StandardHeadReads(nq, nk, d, br) + StandardHeadWrites(nq, nk, d), heads); @/
    /@ assert high_words: m >= d * d ==> Words(StandardHeadReads(nq, nk, d, br) + StandardHeadWrites(nq, nk, d), heads) <=
                          Words(28 * StandardGrowth(nq, nk, d), heads); @/
  }
*/
