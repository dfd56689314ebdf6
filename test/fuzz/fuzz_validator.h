/*
 * Whether the option validator accepts name = value: shared by the harnesses
 * that check the options an import would write (fuzz_config, fuzz_sample).
 * Include after options.c (whose static parse_value, the validator's and
 * the resolvers' parser, it calls) and fuzz_common.h.
 */
#ifndef FUZZ_VALIDATOR_H
#define FUZZ_VALIDATOR_H

static bool
fuzz_validator_accepts(const RestFdwOption *opt, const char *name,
					   const char *value)
{
	volatile bool ok = true;

	PG_TRY();
	{
		RestOptValue scratch;

		parse_value(opt, value, &scratch);
	}
	PG_CATCH();
	{
		fuzz_print_error();
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

#endif							/* FUZZ_VALIDATOR_H */
