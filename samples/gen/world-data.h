/*
 * world-data.h — the countries of mpcap-gen's synthetic Internet (samples/gen/world.c).
 *
 * One row per country: ISO 3166-1 alpha-2 code, English name, the RIR whose delegated file
 * lists it, a company-name suffix for the synthetic AS names, and two weights:
 *   w_mptcp — true MPTCP hosts, both ports, in study units (docs/reproduce.md, "The published numbers": US
 * ~5300, Australia ~1400, Germany and Korea under 1000 each; the tail spread so that the total is ~14.4k, the
 * study's 7.5k + 6.9k); w_net   — relative size of the responsive address space (plain responders,
 * middleboxes). The study published only the head of the country table; the tail weights are invented to be
 * plausible (docs/samples.md says so). The headline ASes are in world.c (headline_as).
 */
#ifndef MPCAP_SAMPLES_WORLD_DATA_H
#define MPCAP_SAMPLES_WORLD_DATA_H

struct country_def {
	const char *cc;
	const char *name;
	const char *rir;
	const char *suffix;
	double w_mptcp;
	double w_net;
};

static const struct country_def world_countries[] = {
	{ "US", "United States", "arin", "Inc.", 5300, 30.0 },
	{ "AU", "Australia", "apnic", "Pty Ltd", 1400, 1.6 },
	{ "DE", "Germany", "ripencc", "GmbH", 900, 5.0 },
	{ "KR", "Republic of Korea", "apnic", "Co., Ltd.", 800, 4.0 },
	{ "JP", "Japan", "apnic", "K.K.", 420, 5.0 },
	{ "GB", "United Kingdom", "ripencc", "Ltd", 380, 4.0 },
	{ "FR", "France", "ripencc", "SAS", 340, 3.0 },
	{ "NL", "Netherlands", "ripencc", "B.V.", 320, 2.0 },
	{ "CA", "Canada", "arin", "Inc.", 280, 2.5 },
	{ "CN", "China", "apnic", "Co., Ltd.", 260, 12.0 },
	{ "BR", "Brazil", "lacnic", "Ltda.", 230, 4.0 },
	{ "IN", "India", "apnic", "Pvt Ltd", 210, 2.2 },
	{ "RU", "Russian Federation", "ripencc", "LLC", 200, 2.5 },
	{ "IT", "Italy", "ripencc", "S.p.A.", 180, 2.0 },
	{ "ES", "Spain", "ripencc", "S.L.", 160, 1.6 },
	{ "SE", "Sweden", "ripencc", "AB", 150, 0.9 },
	{ "CH", "Switzerland", "ripencc", "AG", 140, 0.7 },
	{ "PL", "Poland", "ripencc", "Sp. z o.o.", 130, 1.2 },
	{ "SG", "Singapore", "apnic", "Pte Ltd", 120, 0.6 },
	{ "HK", "Hong Kong", "apnic", "Ltd", 110, 0.7 },
	{ "TW", "Taiwan", "apnic", "Co., Ltd.", 100, 1.5 },
	{ "AT", "Austria", "ripencc", "GmbH", 95, 0.5 },
	{ "BE", "Belgium", "ripencc", "NV", 90, 0.6 },
	{ "CZ", "Czechia", "ripencc", "s.r.o.", 85, 0.5 },
	{ "DK", "Denmark", "ripencc", "A/S", 80, 0.4 },
	{ "FI", "Finland", "ripencc", "Oy", 75, 0.4 },
	{ "NO", "Norway", "ripencc", "AS", 70, 0.4 },
	{ "IE", "Ireland", "ripencc", "Ltd", 65, 0.3 },
	{ "UA", "Ukraine", "ripencc", "LLC", 60, 0.6 },
	{ "TR", "Turkey", "ripencc", "A.S.", 55, 0.9 },
	{ "MX", "Mexico", "lacnic", "S.A. de C.V.", 52, 1.2 },
	{ "AR", "Argentina", "lacnic", "S.A.", 50, 0.8 },
	{ "ZA", "South Africa", "afrinic", "(Pty) Ltd", 48, 0.5 },
	{ "IL", "Israel", "ripencc", "Ltd", 45, 0.4 },
	{ "NZ", "New Zealand", "apnic", "Ltd", 42, 0.3 },
	{ "PT", "Portugal", "ripencc", "S.A.", 40, 0.4 },
	{ "RO", "Romania", "ripencc", "S.R.L.", 38, 0.6 },
	{ "HU", "Hungary", "ripencc", "Kft.", 36, 0.4 },
	{ "GR", "Greece", "ripencc", "S.A.", 34, 0.4 },
	{ "TH", "Thailand", "apnic", "Co., Ltd.", 32, 0.8 },
	{ "VN", "Viet Nam", "apnic", "JSC", 30, 1.0 },
	{ "ID", "Indonesia", "apnic", "PT", 28, 0.9 },
	{ "MY", "Malaysia", "apnic", "Sdn Bhd", 26, 0.4 },
	{ "PH", "Philippines", "apnic", "Inc.", 24, 0.3 },
	{ "CL", "Chile", "lacnic", "S.A.", 22, 0.4 },
	{ "CO", "Colombia", "lacnic", "S.A.S.", 20, 0.5 },
	{ "BG", "Bulgaria", "ripencc", "EOOD", 19, 0.3 },
	{ "SK", "Slovakia", "ripencc", "s.r.o.", 18, 0.2 },
	{ "HR", "Croatia", "ripencc", "d.o.o.", 17, 0.2 },
	{ "SI", "Slovenia", "ripencc", "d.o.o.", 16, 0.1 },
	{ "LT", "Lithuania", "ripencc", "UAB", 15, 0.15 },
	{ "LV", "Latvia", "ripencc", "SIA", 14, 0.1 },
	{ "EE", "Estonia", "ripencc", "OU", 13, 0.1 },
	{ "RS", "Serbia", "ripencc", "d.o.o.", 12, 0.2 },
	{ "IR", "Iran", "ripencc", "Co.", 11, 0.8 },
	{ "SA", "Saudi Arabia", "ripencc", "Co.", 10, 0.4 },
	{ "AE", "United Arab Emirates", "ripencc", "LLC", 10, 0.3 },
	{ "EG", "Egypt", "afrinic", "S.A.E.", 9, 0.5 },
	{ "NG", "Nigeria", "afrinic", "Ltd", 8, 0.2 },
	{ "KE", "Kenya", "afrinic", "Ltd", 7, 0.1 },
	{ "MA", "Morocco", "afrinic", "S.A.", 7, 0.2 },
	{ "PK", "Pakistan", "apnic", "Pvt Ltd", 6, 0.3 },
	{ "BD", "Bangladesh", "apnic", "Ltd", 6, 0.2 },
	{ "LU", "Luxembourg", "ripencc", "S.A.", 6, 0.05 },
	{ "IS", "Iceland", "ripencc", "ehf.", 5, 0.03 },
	{ "CY", "Cyprus", "ripencc", "Ltd", 5, 0.05 },
	{ "MT", "Malta", "ripencc", "Ltd", 4, 0.03 },
	{ "KZ", "Kazakhstan", "ripencc", "JSC", 4, 0.2 },
	{ "BY", "Belarus", "ripencc", "OOO", 4, 0.1 },
	{ "GE", "Georgia", "ripencc", "LLC", 3, 0.05 },
	{ "AM", "Armenia", "ripencc", "CJSC", 3, 0.05 },
	{ "MD", "Moldova", "ripencc", "S.R.L.", 3, 0.05 },
	{ "PE", "Peru", "lacnic", "S.A.C.", 3, 0.2 },
	{ "EC", "Ecuador", "lacnic", "S.A.", 3, 0.1 },
	{ "UY", "Uruguay", "lacnic", "S.A.", 2, 0.05 },
	{ "VE", "Venezuela", "lacnic", "C.A.", 2, 0.2 },
	{ "CR", "Costa Rica", "lacnic", "S.A.", 2, 0.05 },
	{ "PA", "Panama", "lacnic", "S.A.", 2, 0.03 },
	{ "TN", "Tunisia", "afrinic", "S.A.", 2, 0.1 },
	{ "DZ", "Algeria", "afrinic", "SPA", 2, 0.1 },
	{ "GH", "Ghana", "afrinic", "Ltd", 2, 0.05 },
	{ "LK", "Sri Lanka", "apnic", "PLC", 2, 0.05 },
	{ "NP", "Nepal", "apnic", "Pvt Ltd", 1, 0.03 },
	{ "KH", "Cambodia", "apnic", "Co., Ltd.", 1, 0.03 },
	{ "MN", "Mongolia", "apnic", "LLC", 1, 0.02 },
	{ "BA", "Bosnia and Herzegovina", "ripencc", "d.o.o.", 1, 0.05 },
	{ "MK", "North Macedonia", "ripencc", "DOOEL", 1, 0.03 },
	{ "AL", "Albania", "ripencc", "Sh.p.k.", 1, 0.03 },
	{ "BO", "Bolivia", "lacnic", "S.R.L.", 1, 0.05 },
	{ "PY", "Paraguay", "lacnic", "S.A.", 1, 0.03 },
	{ "TZ", "Tanzania", "afrinic", "Ltd", 1, 0.03 },
	{ "UG", "Uganda", "afrinic", "Ltd", 1, 0.02 },
	{ "KW", "Kuwait", "ripencc", "K.S.C.", 1, 0.05 },
	{ "QA", "Qatar", "ripencc", "W.L.L.", 1, 0.03 },
};

#endif
