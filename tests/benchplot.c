/*
 * benchplot.c: the bench's figures as a plot: an SVG written directly
 * (no plotting package), and the numbers behind it as tab-separated
 * files beside it.
 *
 * Left, adds/s against the number of clients (log scale) for the NULL
 * procedure (the bare RPC), dracd with its default sync window and
 * dracd -s 0.  Right, the histogram of a map reader's waits for the lock
 * during a mass expiry, the lookups that found the map locked only, on
 * a log time axis with the targets (p99.9 0.5 ms, max 5 ms) marked.
 * The output depends only on the figures given: the same figures give
 * the same file.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define W	960
#define H	430
#define PW	360		/* a panel's plotting area */
#define PH	280
#define PY	80		/* its top */
#define AX	80		/* left panel's left edge */
#define BX	560		/* right panel's */

static const char	*sname[NSERIES] = { "NULL procedure", "default window",
	"-s 0" };
static const char	*scolor[NSERIES] = { "#888888", "#1f77b4", "#d62728" };
static const char	*sdash[NSERIES] = { "6,4", "", "" };

/* The map of [lo, hi] (log scale) onto [0, len]. */
static double
logpos(double v, double lo, double hi, double len)
{
	if (v < lo)
		v = lo;
	return len * (log10(v) - log10(lo)) / (log10(hi) - log10(lo));
}

static void
text(FILE *f, double x, double y, const char *anchor, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n",
	    x, y, anchor, s);
}

static void
line(FILE *f, double x1, double y1, double x2, double y2, const char *style)
{
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "%s/>\n", x1, y1, x2, y2, style);
}

static void
frame(FILE *f, int x0, const char *title, const char *xlabel,
    const char *ylabel)
{
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
	    "fill=\"none\" stroke=\"#333\"/>\n", x0, PY, PW, PH);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
	    "font-weight=\"bold\">%s</text>\n", x0 + PW / 2, PY - 28, title);
	text(f, x0 + PW / 2, PY + PH + 36, "middle", xlabel);
	fprintf(f, "<text transform=\"translate(%d,%d) rotate(-90)\" "
	    "text-anchor=\"middle\">%s</text>\n", x0 - 56, PY + PH / 2,
	    ylabel);
}

static const char *
si(double v, char *buf, size_t len)
{
	if (v >= 1e6)
		snprintf(buf, len, "%gM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%gk", v / 1e3);
	else
		snprintf(buf, len, "%g", v);
	return buf;
}

/* Decades of the rates plotted: *lo and *hi, powers of 10. */
static void
rate_range(const struct plot *p, double *lo, double *hi)
{
	double	mn = 1e12, mx = 0;
	int	s, i;

	for (s = 0; s < NSERIES; s++)
		for (i = 0; i < NSWEEP; i++)
			if (p->rate[s][i] > 0) {
				mn = fmin(mn, p->rate[s][i]);
				mx = fmax(mx, p->rate[s][i]);
			}
	if (mx == 0)
		mn = mx = 1;
	*lo = pow(10, floor(log10(mn)));
	*hi = pow(10, ceil(log10(mx)));
	if (*hi <= *lo)
		*hi = *lo * 10;
}

static void
rate_grid(FILE *f, double lo, double hi)
{
	char	buf[16];
	double	d, m, y;

	for (d = lo; d <= hi * 1.01; d *= 10)
		for (m = 1; m < 10 && d * m <= hi * 1.01; m++) {
			y = PY + PH - logpos(d * m, lo, hi, PH);
			line(f, AX, y, AX + PW, y, m == 1 ?
			    "stroke=\"#ccc\"" : "stroke=\"#eee\"");
			if (m == 1 || m == 2 || m == 5)
				text(f, AX - 6, y + 4, "end",
				    si(d * m, buf, sizeof(buf)));
		}
}

static double
client_x(int i)
{
	return AX + 24 + i * (PW - 48.0) / (NSWEEP - 1);
}

static void
rate_series(FILE *f, const struct plot *p, int s, double lo, double hi)
{
	double	y;
	int	i;

	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
	    "stroke-dasharray=\"%s\" points=\"", scolor[s], sdash[s]);
	for (i = 0; i < NSWEEP; i++)
		if (p->rate[s][i] > 0)
			fprintf(f, "%.1f,%.1f ", client_x(i),
			    PY + PH - logpos(p->rate[s][i], lo, hi, PH));
	fprintf(f, "\"/>\n");
	for (i = 0; i < NSWEEP; i++) {
		if (p->rate[s][i] <= 0)
			continue;
		y = PY + PH - logpos(p->rate[s][i], lo, hi, PH);
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
		    "fill=\"%s\"><title>%s, %d clients: %.0f/s</title>"
		    "</circle>\n", client_x(i), y, scolor[s], sname[s],
		    p->clients[i], p->rate[s][i]);
	}
}

static void
legend(FILE *f, int s)
{
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"%s\"/>\n",
	    AX + s * 140, PY - 12, AX + 22 + s * 140, PY - 12,
	    scolor[s], sdash[s]);
	text(f, AX + 26 + s * 140, PY - 8, "start", sname[s]);
}

static void
rate_panel(FILE *f, const struct plot *p)
{
	char	buf[16];
	double	lo, hi;
	int	s, i;

	rate_range(p, &lo, &hi);
	rate_grid(f, lo, hi);
	for (i = 0; i < NSWEEP; i++) {
		snprintf(buf, sizeof(buf), "%d", p->clients[i]);
		text(f, client_x(i), PY + PH + 18, "middle", buf);
	}
	for (s = 0; s < NSERIES; s++) {
		rate_series(f, p, s, lo, hi);
		legend(f, s);
	}
	frame(f, AX, "Adds/s against clients (UDP, medians)", "clients",
	    "adds/s (NULL: calls/s)");
}

/* The time axis of the histogram, ns: decades around the waits seen. */
static void
wait_range(const struct plot *p, double *lo, double *hi, uint64_t *top)
{
	int	b;

	*lo = 1e4;
	*hi = 1e8;
	*top = 0;
	for (b = 1; b < NHIST; b++)
		if (p->hist[b] > 0) {
			*lo = fmin(*lo, pow(10, floor(log10(hist_lo(b)))));
			*hi = fmax(*hi, pow(10, ceil(log10(hist_lo(b + 1)))));
			if (p->hist[b] > *top)
				*top = p->hist[b];
		}
}

/* The power of 10 at or above top (the count axis is log). */
static double
decade_top(uint64_t top)
{
	double	d = 10;

	while (d < top)
		d *= 10;
	return d;
}

/* Height of a bar of c lookups: from 0.5 so that one lookup shows. */
static double
count_h(double c, double ymax)
{
	return c <= 0 ? 0 : logpos(c, 0.5, ymax, PH);
}

static void
wait_axes(FILE *f, double lo, double hi, double ymax)
{
	static const char	*unit[] = { "1 ns", "10 ns", "100 ns", "1 us",
		"10 us", "100 us", "1 ms", "10 ms", "100 ms", "1 s", "10 s" };
	char			 buf[32];
	double			 d, x, y;
	int			 i;

	for (d = lo; d <= hi * 1.01; d *= 10) {
		x = BX + logpos(d, lo, hi, PW);
		line(f, x, PY, x, PY + PH, "stroke=\"#ccc\"");
		i = (int)lround(log10(d));
		text(f, x, PY + PH + 18, "middle", i >= 0 && i <= 10 ?
		    unit[i] : "?");
	}
	for (d = 1; d <= ymax; d *= 10) {
		y = PY + PH - count_h(d, ymax);
		line(f, BX, y, BX + PW, y, "stroke=\"#eee\"");
		text(f, BX - 6, y + 4, "end", si(d, buf, sizeof(buf)));
	}
}

static void
wait_target(FILE *f, double ns, double lo, double hi, int dy,
    const char *label)
{
	double	x = BX + logpos(ns, lo, hi, PW);

	line(f, x, PY, x, PY + PH, "stroke=\"#2ca02c\" stroke-width=\"1.5\" "
	    "stroke-dasharray=\"5,3\"");
	text(f, x + 4, PY + 14 + dy, "start", label);
}

static void
wait_bars(FILE *f, const struct plot *p, double lo, double hi, double ymax)
{
	double	x0, x1, h;
	int	b;

	for (b = 1; b < NHIST; b++) {
		if (p->hist[b] == 0)
			continue;
		x0 = BX + logpos(hist_lo(b), lo, hi, PW);
		x1 = BX + logpos(hist_lo(b + 1), lo, hi, PW);
		h = count_h(p->hist[b], ymax);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" fill=\"#1f77b4\"><title>%.1f-%.1f us: "
		    "%llu</title></rect>\n", x0, PY + PH - h, x1 - x0, h,
		    hist_lo(b) / 1e3, hist_lo(b + 1) / 1e3,
		    (unsigned long long)p->hist[b]);
	}
}

static void
wait_panel(FILE *f, const struct plot *p)
{
	char		buf[160];
	double		lo, hi, ymax;
	uint64_t	top;

	wait_range(p, &lo, &hi, &top);
	ymax = decade_top(top);
	wait_axes(f, lo, hi, ymax);
	wait_bars(f, p, lo, hi, ymax);
	wait_target(f, 5e5, lo, hi, 0, "p99.9 target");
	wait_target(f, 5e6, lo, hi, 16, "max target");
	if (top == 0)
		snprintf(buf, sizeof(buf), "no lookup found the map locked");
	else
		snprintf(buf, sizeof(buf), "p50 %.3f, p99 %.3f, p99.9 %.3f, "
		    "max %.3f ms", p->pct[0], p->pct[1], p->pct[2],
		    p->pct[3]);
	text(f, BX + PW / 2, PY - 8, "middle", buf);
	snprintf(buf, sizeof(buf), "Reader's lock waits, %u entries expiring "
	    "at once", p->nentries);
	frame(f, BX, buf, "wait for flock(LOCK_SH), lookups that found the "
	    "map locked", "lookups per 19% wide bucket, all rounds");
}

/* s as XML character data (the machine's name is not ours). */
static void
escaped(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '<')
			fputs("&lt;", f);
		else
			putc(*s, f);
}

static int
write_svg(const char *path, const struct plot *p)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
	    "font-size=\"12\">\n", W, H, W, H);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W,
	    H);
	fprintf(f, "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" "
	    "font-size=\"14\">drac bench: ", W / 2);
	escaped(f, p->title);
	fprintf(f, "</text>\n");
	rate_panel(f, p);
	wait_panel(f, p);
	fprintf(f, "</svg>\n");
	return fclose(f) == 0 ? 0 : -1;
}

static int
write_tsv(const char *path, const struct plot *p)
{
	FILE	*f;
	int	 i;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "clients\tnull\tdefault\tsync0\n");
	for (i = 0; i < NSWEEP; i++)
		fprintf(f, "%d\t%.0f\t%.0f\t%.0f\n", p->clients[i],
		    p->rate[S_NULL][i], p->rate[S_DEFAULT][i],
		    p->rate[S_SYNC0][i]);
	return fclose(f) == 0 ? 0 : -1;
}

static int
write_hist(const char *path, const struct plot *p)
{
	FILE	*f;
	int	 b;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "wait_from_ns\twait_to_ns\tlookups\n");
	for (b = 0; b < NHIST; b++)
		if (p->hist[b] > 0)
			fprintf(f, "%llu\t%llu\t%llu\n",
			    (unsigned long long)hist_lo(b),
			    (unsigned long long)hist_lo(b + 1),
			    (unsigned long long)p->hist[b]);
	return fclose(f) == 0 ? 0 : -1;
}

/*
 * Write DIR/NAME.svg, DIR/NAME-clients.tsv and DIR/NAME-waits.tsv;
 * 0, or -1 when one could not be written.
 */
int
plot_write(const char *dir, const char *name, const struct plot *p)
{
	char	path[4096];
	int	rc = 0;

	snprintf(path, sizeof(path), "%s/%s-clients.tsv", dir, name);
	rc |= write_tsv(path, p);
	snprintf(path, sizeof(path), "%s/%s-waits.tsv", dir, name);
	rc |= write_hist(path, p);
	snprintf(path, sizeof(path), "%s/%s.svg", dir, name);
	rc |= write_svg(path, p);
	return rc;
}
