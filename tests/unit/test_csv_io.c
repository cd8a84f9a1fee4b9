/* test_csv_io.c — base/csv_io.h's writer: fields a spreadsheet would run as a
 * formula (OWASP CSV injection) get a leading apostrophe and quotes; numbers
 * and plain text are written as they are; the rows read back through libcsv
 * (csv_table) give the written text. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyzer/base/csv_io.h"

static char *row(const char *field)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	cr_assert_not_null(fp);
	const char *f[] = { field, "x" };
	cr_assert_eq(csv_write_row(fp, f, 2), 0);
	fclose(fp);
	return buf;
}

static void expect(const char *field, const char *line)
{
	char *got = row(field);
	cr_expect_str_eq(got, line, "field [%s]: got [%s], want [%s]", field, got, line);
	free(got);
}

Test(csv_io, formulas_neutralised)
{
	expect("=HYPERLINK(\"http://x\",\"c\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"c\"\")\",x\n");
	expect("+cmd|calc", "\"'+cmd|calc\",x\n");
	expect("@SUM(1+1)", "\"'@SUM(1+1)\",x\n");
	expect("-2+3", "\"'-2+3\",x\n");
	expect("-", "\"'-\",x\n");
	expect("\tx", "\"'\tx\",x\n");
	expect("\rx", "\"'\rx\",x\n");
	expect("+", "\"'+\",x\n");
	expect("-e5", "\"'-e5\",x\n");
}

Test(csv_io, numbers_and_text_unchanged)
{
	expect("-5", "-5,x\n");
	expect("+1e3", "+1e3,x\n");
	expect("-0.25", "-0.25,x\n");
	expect("-.5", "-.5,x\n");
	expect("1.5E-7", "1.5E-7,x\n");
	expect("AS-1", "AS-1,x\n");
	expect("a=b", "a=b,x\n");
	expect("", ",x\n");
	expect("a,b", "\"a,b\",x\n");
}

/* csv_format_row (whole rows for fwrite) gives the bytes of csv_write_row,
 * field by field over quoting, formulas, numbers and spaces, and 0 when the
 * row does not fit. */
Test(csv_io, format_row_equals_write_row)
{
	const char *cases[] = { "",   "plain", "a,b", "say \"hi\"",  " lead",   "trail\t", "=1+2", "-3.5e7",
		                "+x", "@sum",  "-",   "line\nbreak", "1.2.3.4", "::1",     "\r\"", "0x8f" };
	size_t nc = sizeof cases / sizeof cases[0];
	for (size_t i = 0; i < nc; i++)
		for (size_t j = 0; j < nc; j++) {
			const char *row[3] = { cases[i], NULL, cases[j] };
			char *want = NULL;
			size_t wlen = 0;
			FILE *fp = open_memstream(&want, &wlen);
			cr_assert(fp);
			cr_assert_eq(csv_write_row(fp, row, 3), 0);
			fclose(fp);
			char buf[256];
			size_t n = csv_format_row(buf, sizeof buf, row, 3);
			cr_assert_eq(n, wlen, "'%s' '%s'", cases[i], cases[j]);
			cr_assert_eq(memcmp(buf, want, n), 0, "'%s' '%s'", cases[i], cases[j]);
			cr_assert_eq(csv_format_row(buf, wlen - 1, row, 3), 0, "too small: '%s' '%s'",
			             cases[i], cases[j]);
			free(want);
		}
}
