/* report_html.c — the report's index.html (no network; the headline numbers
 * first, every chart with its caption and table, tables sortable by a click
 * on a column by one small inline script, version, date and command at the
 * foot) and README.md (the list of files).  See report.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/page/report.h"

static void esc(FILE *fp, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '&':
			fputs("&amp;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		default:
			fputc(*s, fp);
		}
}

/* "12", "0.5", "-3e-05": right-aligned in tables */
static bool numeric(const char *s)
{
	if (!*s)
		return false;
	char *end;
	strtod(s, &end);
	return *end == '\0';
}

static size_t shown_rows(const struct rp_figure *f)
{
	size_t n = 0;
	for (size_t r = 0; r < f->table->nrows; r++)
		n += f->filter_col < 0 ||
		     strcmp(rp_table_cell(f->table, r, (size_t)f->filter_col), f->filter) == 0;
	return n;
}

static void table_html(FILE *fp, const struct rp_figure *f)
{
	const struct rp_table *t = f->table;
	const struct column_set *cs = column_set_get(t->colset);
	size_t n = shown_rows(f);
	bool fold = n > 40;
	fprintf(fp, "<details%s><summary>Table: <a href=\"", fold ? "" : " open");
	esc(fp, f->table_file);
	fputs("\">", fp);
	esc(fp, f->table_file);
	fprintf(fp, "</a> (%zu row%s shown", n, n == 1 ? "" : "s");
	if (f->filter_col >= 0) {
		fputs(": ", fp);
		esc(fp, cs->cols[f->filter_col].name);
		fputs(" = ", fp);
		esc(fp, f->filter);
	}
	fputs(")</summary>\n", fp);
	if (n == 0) {
		fputs("<p class=\"empty\">No rows.</p></details>\n", fp);
		return;
	}
	fputs("<div class=\"scroll\"><table>\n<thead><tr>", fp);
	for (size_t c = 0; c < t->ncols; c++) {
		fputs("<th title=\"", fp);
		esc(fp, cs->cols[c].description);
		fputs("\">", fp);
		esc(fp, cs->cols[c].name);
		fputs("</th>", fp);
	}
	fputs("</tr></thead>\n<tbody>\n", fp);
	for (size_t r = 0; r < t->nrows; r++) {
		if (f->filter_col >= 0 && strcmp(rp_table_cell(t, r, (size_t)f->filter_col), f->filter) != 0)
			continue;
		fputs("<tr>", fp);
		for (size_t c = 0; c < t->ncols; c++) {
			const char *v = rp_table_cell(t, r, c);
			fputs(numeric(v) ? "<td class=\"n\">" : "<td>", fp);
			esc(fp, v);
			fputs("</td>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table></div></details>\n", fp);
}

/* The headline numbers first: per scan, IP version and port, the MP_CAPABLE
 * responders, MPTCP by scan verdict, true MPTCP (tracebox-confirmed, or
 * untraced) and middlebox-affected, from adoption.csv. */
static void headline(FILE *fp, const struct report *r)
{
	const struct rp_table *t = &r->adoption;
	int cs = rp_table_col(t, "scan"), cf = rp_table_col(t, "family"), cp = rp_table_col(t, "port"),
	    cm = rp_table_col(t, "mpcapable"), cv = rp_table_col(t, "mptcp_verdict"),
	    ct = rp_table_col(t, "traced"), ctm = rp_table_col(t, "true_mptcp"),
	    cma = rp_table_col(t, "middlebox_affected"), cmv = rp_table_col(t, "middlebox_verdict"),
	    csc = rp_table_col(t, "scope");
	if (cs < 0 || cf < 0 || cp < 0 || cm < 0 || cv < 0 || ct < 0 || ctm < 0 || cma < 0 || cmv < 0 ||
	    csc < 0)
		return;
	fputs("<h2>Headline numbers</h2>\n<div class=\"scroll\"><table id=\"headline\">\n<thead><tr>"
	      "<th>scan</th><th>IP</th><th>port</th><th>MP_CAPABLE responders</th>"
	      "<th>MPTCP by scan verdict</th><th>true MPTCP (tracebox-confirmed)</th>"
	      "<th>middlebox-affected</th></tr></thead>\n<tbody>\n",
	      fp);
	for (size_t i = 0; i < t->nrows; i++) {
		if (strcmp(rp_table_cell(t, i, (size_t)csc), "scan") != 0 ||
		    strcmp(rp_table_cell(t, i, (size_t)cm), "0") == 0)
			continue;
		bool traced = strcmp(rp_table_cell(t, i, (size_t)ct), "1") == 0;
		const int cols[] = { cs, cf, cp, cm, cv };
		fputs("<tr>", fp);
		for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
			fputs(k >= 1 ? "<td class=\"n\">" : "<td>", fp);
			esc(fp, rp_table_cell(t, i, (size_t)cols[k]));
			fputs("</td>", fp);
		}
		fputs("<td class=\"n\">", fp);
		esc(fp, traced ? rp_table_cell(t, i, (size_t)ctm) : "untraced");
		fputs("</td><td class=\"n\">", fp);
		esc(fp, rp_table_cell(t, i, (size_t)(traced ? cma : cmv)));
		fputs(traced ? "" : " (scan verdicts)", fp);
		fputs("</td></tr>\n", fp);
	}
	fputs("</tbody></table></div>\n<p>MP_CAPABLE responders answered with the option; MPTCP by scan "
	      "verdict: own key, not modified, not shared (the scan alone); true MPTCP: confirmed by "
	      "tracebox, only for traced scans; middlebox-affected: tracebox class middlebox (untraced "
	      "scans: their middlebox verdicts). Rules: docs/methodology.md, <i>The counts and their "
	      "names</i>.</p>\n",
	      fp);
}

int report_write_html(FILE *fp, const struct rp_page *p)
{
	const struct report *r = p->r;
	fputs(
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>mpcap report: MPTCP deployment</title>\n<style>\n"
	    "body{font-family:\"DejaVu Sans\",Verdana,sans-serif;max-width:1100px;margin:1.5em auto;"
	    "padding:0 1em;color:#1a1a1a;line-height:1.45}\n"
	    "h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}\n"
	    "figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #eee}\n"
	    "figcaption{font-size:.92em;color:#333;margin-top:.4em}\n"
	    "table{border-collapse:collapse;font-size:.82em;margin:.5em 0}\n"
	    "th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;white-space:nowrap}\n"
	    "th{background:#f2f2f2;cursor:pointer}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	    ".scroll{overflow-x:auto;max-width:100%}summary{cursor:pointer;color:#333}.empty{color:#777}\n"
	    "footer{margin-top:3em;font-size:.85em;color:#555;border-top:1px solid "
	    "#ddd;overflow-wrap:anywhere}\n"
	    "code{overflow-wrap:anywhere}#headline th{white-space:normal;vertical-align:bottom}\n"
	    "code{background:#f5f5f5;padding:0 3px}\n"
	    "</style>\n</head>\n<body>\n<h1>MPTCP deployment: MP_CAPABLE scans</h1>\n",
	    fp);
	fprintf(fp, "<p>%zu scan%s: ", r->nscans, r->nscans == 1 ? "" : "s");
	for (size_t i = 0; i < r->nscans; i++) {
		fputs(i ? ", <b>" : "<b>", fp);
		esc(fp, r->scans[i].label);
		fputs("</b> (<code>", fp);
		esc(fp, r->scans[i].dir);
		fputs("</code>)", fp);
	}
	fputs(".", fp);
	if (r->have_trace) { /* "Traced: 2020-07, ...; untraced: ..." */
		fputs(" ", fp);
		esc(fp, r->trace_note);
	}
	if (p->command) {
		fputs("<br>Made by <code>", fp);
		esc(fp, p->command);
		fputs("</code>.", fp);
	}
	fputs(" Every chart's numbers are in the CSV table below it; the columns are described in "
	      "<code>docs/columns.md</code> (<code>mpcap columns</code>).</p>\n",
	      fp);
	headline(fp, r);
	fputs("<h2>Figures</h2>\n<ul>\n", fp);
	for (size_t i = 0; i < p->nfigs; i++) {
		fprintf(fp, "<li><a href=\"#f%zu\">", i);
		esc(fp, p->figs[i].title);
		fputs("</a></li>\n", fp);
	}
	fputs("</ul>\n", fp);
	for (size_t i = 0; i < p->nfigs; i++) {
		const struct rp_figure *f = &p->figs[i];
		fprintf(fp, "<h2 id=\"f%zu\">", i);
		esc(fp, f->title);
		fputs("</h2>\n", fp);
		if (f->file[0]) {
			fputs("<figure>\n", fp);
			if (strcmp(p->format, "pdf") == 0) {
				fputs("<p><a href=\"", fp);
				esc(fp, f->file);
				fputs("\">", fp);
				esc(fp, f->file);
				fputs("</a> (PDF)</p>\n", fp);
			} else {
				fputs("<img src=\"", fp);
				esc(fp, f->file);
				fprintf(fp, "\" width=\"%.0f\" height=\"%.0f\" alt=\"",
				        f->img_w > 0 ? f->img_w : p->img_w,
				        f->img_h > 0 ? f->img_h : p->img_h);
				esc(fp, f->title);
				fputs(f->no_data ? " (no data)\">\n" : "\">\n", fp);
			}
			fputs("<figcaption>", fp);
			esc(fp, f->caption);
			fputs("</figcaption>\n</figure>\n", fp);
		} else {
			fputs("<p>", fp);
			esc(fp, f->caption);
			fputs("</p>\n", fp);
		}
		if (f->table)
			table_html(fp, f);
	}
	fputs("<h2>Files</h2>\n<ul>\n", fp);
	for (size_t i = 0; i < p->ntables; i++) {
		fputs("<li><a href=\"", fp);
		esc(fp, p->tables[i]);
		fputs("\">", fp);
		esc(fp, p->tables[i]);
		fputs("</a>: ", fp);
		esc(fp, p->table_what[i]);
		fputs("</li>\n", fp);
	}
	fputs("<li><a href=\"README.md\">README.md</a>: the list of files</li>\n</ul>\n", fp);
	char day[32] = "";
	time_t now = time(NULL);
	struct tm tm;
	if (gmtime_r(&now, &tm))
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
	fputs("<footer><p>mpcap ", fp);
	esc(fp, p->version ? p->version : "");
	fprintf(fp, ", %s (UTC).", day);
	if (p->command) {
		fputs(" Command: <code>", fp);
		esc(fp, p->command);
		fputs("</code>.", fp);
	}
	fputs(" Inputs:", fp);
	for (size_t i = 0; i < r->nscans; i++) {
		fputs(i ? ", <code>" : " <code>", fp);
		esc(fp, r->scans[i].dir);
		fputs("</code>", fp);
	}
	fputs(".</p></footer>\n", fp);
	/* click a column's heading to sort its table (numbers as numbers) */
	fputs("<script>for(const th of document.querySelectorAll('th'))th.addEventListener('click',()=>{"
	      "const tb=th.closest('table').tBodies[0],i=th.cellIndex,up=th.dataset.s!=='1';"
	      "th.dataset.s=up?'1':'0';const v=r=>r.cells[i].textContent,"
	      "k=(a,b)=>{const x=parseFloat(v(a)),y=parseFloat(v(b));return isNaN(x)||isNaN(y)?"
	      "v(a).localeCompare(v(b)):x-y};"
	      "[...tb.rows].sort((a,b)=>up?k(a,b):k(b,a)).forEach(r=>tb.appendChild(r))});</script>\n"
	      "</body>\n</html>\n",
	      fp);
	return ferror(fp) ? -1 : 0;
}

int report_write_readme(FILE *fp, const struct rp_page *p)
{
	const struct report *r = p->r;
	fputs("# mpcap report\n\n", fp);
	fprintf(fp, "Made by `mpcap report` from %zu scan%s:", r->nscans, r->nscans == 1 ? "" : "s");
	for (size_t i = 0; i < r->nscans; i++)
		fprintf(fp, "%s %s (`%s`)", i ? "," : "", r->scans[i].label, r->scans[i].dir);
	fputs(".\n", fp);
	if (p->command)
		fprintf(fp, "\nCommand: `%s`\n", p->command);
	fputs("\nOpen `index.html` in a browser (nothing loaded from the network; a small inline script\n"
	      "sorts a table by a click on a column heading).  The CSV columns are\n"
	      "described in docs/columns.md (`mpcap columns`).\n\n## Charts\n\n| file | what it shows "
	      "|\n|---|---|\n",
	      fp);
	for (size_t i = 0; i < p->nfigs; i++)
		if (p->figs[i].file[0])
			fprintf(fp, "| `%s` | %s%s |\n", p->figs[i].file, p->figs[i].title,
			        p->figs[i].no_data ? " (no data)" : "");
	fputs("\n## Tables\n\n| file | what it holds |\n|---|---|\n", fp);
	for (size_t i = 0; i < p->ntables; i++)
		fprintf(fp, "| `%s` | %s |\n", p->tables[i], p->table_what[i]);
	fputs("| `index.html` | every chart with its caption and table |\n| `README.md` | this list |\n", fp);
	return ferror(fp) ? -1 : 0;
}
