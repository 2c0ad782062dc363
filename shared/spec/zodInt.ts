/** Zod pieces shared by the schemas of the spec and its parts (pure). */
import { z } from 'zod';

/** An integer in [min, max]. (Not zod's .int(): its issue aborts the spec's cross-field checks.) */
export function int(min: number, max: number) {
  return z
    .number()
    .superRefine((v, ctx) => {
      if (!Number.isInteger(v)) ctx.addIssue({ code: 'custom', message: `expected an integer, got ${v}` });
    })
    .min(min)
    .max(max);
}
