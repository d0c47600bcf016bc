/* SPDX-License-Identifier: MIT */
/*
 * attrcheck.c - desired attribute values checked against their attribute registry, and any
 * property against its @Redfish.AllowableValues, before apply sends anything.
 *
 * Semantics (DMTF AttributeRegistry schema, v1_3):
 *   Type            Enumeration (a string among Value[].ValueName), String, Integer, Boolean,
 *                   Password.
 *   LowerBound, UpperBound, ScalarIncrement   integers: the range, and the step from
 *                   LowerBound.
 *   MinLength, MaxLength   strings: length in characters; ValueExpression: "a valid regular
 *                   expression, according to the Perl regular expression dialect", matched
 *                   against the value (unanchored, as Perl would; the registries anchor it).
 *   ReadOnly, Immutable   never writable; GrayOut: "not active ... the value cannot be
 *                   changed" while grayed out.
 *   Dependencies[]  Type "Map": when the MapFrom conditions hold (each MapFromAttribute's
 *                   MapFromProperty compared by MapFromCondition EQU/NEQ/GTR/GEQ/LSS/LEQ with
 *                   MapFromValue, combined with the next one's MapTerms AND/OR, left to
 *                   right), the MapToAttribute's MapToProperty takes MapToValue.
 * Here a dependency is evaluated on the values the attributes would have after this apply
 * (current, then pending in the settings object, then desired: the BIOS evaluates them at
 * POST, with everything pending in place).  Its result then rules the changed attributes:
 * MapToProperty ReadOnly/GrayOut true refuses a change, CurrentValue refuses any other value,
 * LowerBound/UpperBound/MinLength/MaxLength replace the registry's bound.  MapFromProperty
 * other than CurrentValue reads the registry's own (static) property.
 * Only values that differ from the current ones are checked: setting what is already there
 * sends nothing and so cannot be refused.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "attrreg-private.h"

#define MAX_LISTED 24 /* enumeration values named in a message */

static struct json_object *member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

static const char *str_of(struct json_object *obj, const char *key)
{
	struct json_object *v = member(obj, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* ---- reporting ---- */

static int violation(struct json_object *list, const char *prefix, const char *name,
		     struct json_object *value, bool secret, const char *fmt, ...)
	_hf_printf_(6, 7);

static int violation(struct json_object *list, const char *prefix, const char *name,
		     struct json_object *value, bool secret, const char *fmt, ...)
{
	struct json_object *v = json_object_new_object();
	struct hf_buf ptr = { 0 }, allowed = { 0 };
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = hf_buf_vprintf(&allowed, fmt, ap);
	va_end(ap);
	if (r < 0 || hf_buf_printf(&ptr, "%s/%s", prefix, name) < 0 || !v ||
	    json_object_array_add(list, v) < 0)
		goto nomem;
	hf_one_line(allowed.data);
	if (json_object_object_add(v, "property", json_object_new_string(ptr.data)) < 0 ||
	    json_object_object_add(v, "value", secret && value ? json_object_new_string("****")
							       : json_object_get(value)) < 0 ||
	    json_object_object_add(v, "allowed", json_object_new_string(allowed.data)) < 0)
		goto nomem_added;
	hf_buf_free(&ptr);
	hf_buf_free(&allowed);
	return 1;
nomem:
	json_object_put(v);
nomem_added:
	hf_buf_free(&ptr);
	hf_buf_free(&allowed);
	return -ENOMEM;
}

/* A value as JSON text for a message, cut to fit out (which is at most 400 bytes). */
static void value_text(struct json_object *v, char *out, size_t len)
{
	int max = (int)len - 4;

	const char *t = v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
								      JSON_C_TO_STRING_NOSLASHESCAPE)
			  : "null";

	snprintf(out, len, "%.*s%s", max, t ? t : "?", t && strlen(t) > (size_t)max ? "..." : "");
}

/* ---- the Perl dialect as POSIX ERE ---- */

/* \t \n \r \f \v */
static char control_of(char c)
{
	static const char from[] = "tnrfv", to[] = "\t\n\r\f\v";
	const char *p = strchr(from, c);

	if (!p || !c)
		return c;
	return to[p - from];
}

/* The escape \c outside a bracket: appended to out.  -ENOTSUP for what ERE lacks. */
static int escape_out(char c, struct hf_buf *out)
{
	static const char *const classes[][2] = {
		{ "d", "[0-9]" },	  { "D", "[^0-9]" },	     { "s", "[[:space:]]" },
		{ "S", "[^[:space:]]" }, { "w", "[[:alnum:]_]" }, { "W", "[^[:alnum:]_]" },
	};
	size_t i;

	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (c == classes[i][0][0])
			return hf_buf_appends(out, classes[i][1]);
	if (c && strchr("tnrfv", c)) {
		char lit = control_of(c);

		return hf_buf_append(out, &lit, 1);
	}
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || !c)
		return -ENOTSUP; /* \b, \1, \x41, \p{...}, \A, \z... */
	if (strchr(".[]()*+?{}|^$\\", c)) {
		char esc[2] = { '\\', c };

		return hf_buf_append(out, esc, 2);
	}
	return hf_buf_append(out, &c, 1); /* \/ \- \~ ...: the character itself */
}

struct bracket {
	bool negated, close, dash, caret, open;
	struct hf_buf items; /* ranges, classes and plain characters */
};

/* One bracket member at *pp (after '[' and '^'): a character, an escape or a class. */
static int bracket_char(const char **pp, struct bracket *b, char *ret)
{
	const char *p = *pp;

	*ret = 0;
	if (p[0] == '[' && p[1] == ':') {
		const char *end = strstr(p + 2, ":]");

		if (!end)
			return -ENOTSUP;
		*pp = end + 2;
		return hf_buf_append(&b->items, p, (size_t)(end + 2 - p));
	}
	if (p[0] == '\\') {
		static const char *const classes[][2] = {
			{ "d", "0-9" }, { "s", "[:space:]" }, { "w", "[:alnum:]_" },
		};
		size_t i;

		for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
			if (p[1] == classes[i][0][0]) {
				*pp = p + 2;
				return hf_buf_appends(&b->items, classes[i][1]);
			}
		if (p[1] && strchr("tnrfv", p[1])) {
			*ret = control_of(p[1]);
			*pp = p + 2;
			return 1;
		}
		if (!p[1] || (p[1] >= '0' && p[1] <= '9') || (p[1] >= 'a' && p[1] <= 'z') ||
		    (p[1] >= 'A' && p[1] <= 'Z'))
			return -ENOTSUP;
		*ret = p[1];
		*pp = p + 2;
		return 1;
	}
	if (!p[0])
		return -ENOTSUP;
	*ret = p[0];
	*pp = p + 1;
	return 1;
}

static int bracket_single(struct bracket *b, char c)
{
	switch (c) {
	case ']':
		b->close = true;
		return 0;
	case '-':
		b->dash = true;
		return 0;
	case '^':
		b->caret = true;
		return 0;
	case '[':
		b->open = true;
		return 0;
	default:
		return hf_buf_append(&b->items, &c, 1);
	}
}

/* A bracket expression at *pp (just after '['), translated onto out. */
static int bracket(const char **pp, struct hf_buf *out)
{
	struct bracket b = { 0 };
	const char *p = *pp;
	bool first = true;
	int r = 0;

	if (*p == '^') {
		b.negated = true;
		p++;
	}
	while (r >= 0 && (*p != ']' || first)) {
		char lo, hi;

		first = false;
		r = bracket_char(&p, &b, &lo);
		if (r <= 0)
			continue;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			p++;
			r = bracket_char(&p, &b, &hi);
			if (r <= 0 || strchr("]-^[", lo) || strchr("]-^[", hi) || lo > hi) {
				r = -ENOTSUP;
				continue;
			}
			char range[3] = { lo, '-', hi };

			r = hf_buf_append(&b.items, range, 3);
			continue;
		}
		r = bracket_single(&b, lo);
	}
	if (r >= 0 && !b.items.len && !b.close && !b.open && b.caret && !b.negated && !b.dash)
		r = hf_buf_appends(out, "\\^"); /* [\^] alone */
	else if (r >= 0)
		r = hf_buf_printf(out, "[%s%s%s%s%s%s]", b.negated ? "^" : "", b.close ? "]" : "",
				  b.items.data ? b.items.data : "", b.open ? "[" : "",
				  b.caret ? "^" : "", b.dash ? "-" : "");
	hf_buf_free(&b.items);
	*pp = r >= 0 ? p + 1 : p;
	return r < 0 ? r : 0;
}

int hf_regex_to_ere(const char *perl, struct hf_buf *out)
{
	const char *p = perl;
	bool after_quantifier = false;
	int r = hf_buf_append(out, "", 0);

	while (r >= 0 && *p) {
		bool quant = false;

		if (*p == '\\') {
			r = escape_out(p[1], out);
			p += 2;
		} else if (*p == '[') {
			p++;
			r = bracket(&p, out);
		} else if (p[0] == '(' && p[1] == '?') {
			if (p[2] != ':')
				return -ENOTSUP;
			r = hf_buf_append(out, "(", 1);
			p += 3;
		} else if (*p == '?' && after_quantifier) {
			p++; /* lazy: the same strings match */
		} else if (*p == '+' && after_quantifier) {
			return -ENOTSUP; /* possessive */
		} else {
			quant = strchr("*+?}", *p) != NULL;
			r = hf_buf_append(out, p, 1);
			p++;
		}
		after_quantifier = quant;
	}
	return r < 0 ? r : 0;
}

/* ---- one attribute ---- */

/* The override a dependency gave prop of this attribute, else the registry's own value. */
static struct json_object *prop_of(struct json_object *attr, struct json_object *over,
				   const char *prop, const char **why)
{
	struct json_object *o = member(over, prop);

	if (o) {
		*why = str_of(o, "why");
		return member(o, "value");
	}
	*why = NULL;
	return member(attr, prop);
}

static bool flag_of(struct json_object *attr, struct json_object *over, const char *prop,
		    const char **why)
{
	struct json_object *v = prop_of(attr, over, prop, why);

	return json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

static size_t utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

struct target {
	struct json_object *list;
	const char *prefix, *name;
	struct json_object *value;
	bool secret;
	char shown[100];
};

#define REFUSE(t, ...) violation((t)->list, (t)->prefix, (t)->name, (t)->value, (t)->secret, __VA_ARGS__)

static int check_enum(struct target *t, struct json_object *attr)
{
	struct json_object *values = member(attr, "Values");
	struct hf_buf list = { 0 };
	size_t i, n = json_object_is_type(values, json_type_array) ? json_object_array_length(values)
								   : 0;
	int r;

	if (!json_object_is_type(values, json_type_array))
		return 0;
	for (i = 0; i < n; i++)
		if (hf_json_same(json_object_array_get_idx(values, i), t->value))
			return 0;
	for (i = 0; i < n && i < MAX_LISTED; i++)
		if (hf_buf_printf(&list, "%s%s", i ? ", " : "",
				  json_object_get_string(json_object_array_get_idx(values, i))) < 0) {
			hf_buf_free(&list);
			return -ENOMEM;
		}
	r = REFUSE(t, "%s is not allowed: one of %s%s", t->shown, list.data ? list.data : "(none)",
		   n > MAX_LISTED ? ", ..." : "");
	hf_buf_free(&list);
	return r;
}

static int check_integer(struct target *t, struct json_object *attr, struct json_object *over)
{
	const char *why_lo, *why_hi;
	struct json_object *lo = prop_of(attr, over, "LowerBound", &why_lo);
	struct json_object *hi = prop_of(attr, over, "UpperBound", &why_hi);
	struct json_object *step = member(attr, "ScalarIncrement");
	int64_t v;

	if (!json_object_is_type(t->value, json_type_int))
		return REFUSE(t, "%s is not allowed: an integer", t->shown);
	v = json_object_get_int64(t->value);
	if ((lo && json_object_is_type(lo, json_type_int) && v < json_object_get_int64(lo)) ||
	    (hi && json_object_is_type(hi, json_type_int) && v > json_object_get_int64(hi)))
		return REFUSE(t, "%s is out of range: an integer from %s to %s%s%s", t->shown,
			      lo ? json_object_get_string(lo) : "any", hi ? json_object_get_string(hi) : "any",
			      why_lo || why_hi ? " " : "", why_lo ? why_lo : why_hi ? why_hi : "");
	if (json_object_is_type(step, json_type_int) && json_object_get_int64(step) > 1) {
		int64_t base = json_object_is_type(lo, json_type_int) ? json_object_get_int64(lo) : 0;

		if ((v - base) % json_object_get_int64(step) != 0)
			return REFUSE(t, "%s is not allowed: a multiple of %s from %lld", t->shown,
				      json_object_get_string(step), (long long)base);
	}
	return 0;
}

static int check_pattern(struct target *t, const char *expr, const char *s)
{
	struct hf_buf ere = { 0 };
	regex_t re;
	int r;

	r = hf_regex_to_ere(expr, &ere);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || regcomp(&re, ere.data, REG_EXTENDED | REG_NOSUB) != 0) {
		/* an expression outside what ERE can say is not held against the value */
		hf_buf_free(&ere);
		return 0;
	}
	hf_buf_free(&ere);
	r = regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	if (r == 0)
		return 0;
	return REFUSE(t, "%s does not match the registry's ValueExpression %s", t->shown, expr);
}

static int check_string(struct target *t, struct json_object *attr, struct json_object *over)
{
	const char *why_min, *why_max, *s, *expr = str_of(attr, "ValueExpression");
	struct json_object *min = prop_of(attr, over, "MinLength", &why_min);
	struct json_object *max = prop_of(attr, over, "MaxLength", &why_max);
	size_t len, chars;

	if (!json_object_is_type(t->value, json_type_string))
		return REFUSE(t, "%s is not allowed: a string", t->shown);
	s = json_object_get_string(t->value);
	len = (size_t)json_object_get_string_len(t->value);
	if (strlen(s) != len)
		return REFUSE(t, "%s is not allowed: a string without NUL characters", t->shown);
	chars = utf8_chars(s, len);
	if ((json_object_is_type(min, json_type_int) && (int64_t)chars < json_object_get_int64(min)) ||
	    (json_object_is_type(max, json_type_int) && (int64_t)chars > json_object_get_int64(max)))
		return REFUSE(t, "%s (%zu characters) is not allowed: from %s to %s characters%s%s",
			      t->shown, chars, min ? json_object_get_string(min) : "0",
			      max ? json_object_get_string(max) : "any",
			      why_min || why_max ? " " : "", why_min ? why_min : why_max ? why_max : "");
	if (expr && !t->secret)
		return check_pattern(t, expr, s);
	return 0;
}

static int check_one(struct target *t, struct json_object *attr, struct json_object *over)
{
	const char *type = str_of(attr, "Type"), *why;
	struct json_object *forced;

	if (flag_of(attr, over, "ReadOnly", &why) || flag_of(attr, NULL, "Immutable", &why))
		return REFUSE(t, "%s cannot be set: the attribute is read-only%s%s", t->shown,
			      why ? " " : "", why ? why : "");
	if (flag_of(attr, over, "GrayOut", &why))
		return REFUSE(t, "%s cannot be set: the attribute is grayed out%s%s", t->shown,
			      why ? " " : "", why ? why : "");
	forced = prop_of(attr, over, "CurrentValue", &why);
	if (why && !hf_json_same(forced, t->value)) {
		char f[100];

		value_text(forced, f, sizeof(f));
		return REFUSE(t, "%s is not allowed: only %s %s", t->shown, f, why);
	}
	if (!type)
		return 0;
	if (strcmp(type, "Enumeration") == 0)
		return json_object_is_type(t->value, json_type_string)
			       ? check_enum(t, attr)
			       : REFUSE(t, "%s is not allowed: a string, one of the enumeration",
					t->shown);
	if (strcmp(type, "Integer") == 0)
		return check_integer(t, attr, over);
	if (strcmp(type, "String") == 0 || strcmp(type, "Password") == 0)
		return check_string(t, attr, over);
	if (strcmp(type, "Boolean") == 0 && !json_object_is_type(t->value, json_type_boolean))
		return REFUSE(t, "%s is not allowed: true or false", t->shown);
	return 0;
}

/* ---- dependencies ---- */

static int compare(struct json_object *a, const char *cond, struct json_object *b, bool *ret)
{
	double x, y;

	if (strcmp(cond, "EQU") == 0 || strcmp(cond, "NEQ") == 0) {
		*ret = hf_json_same(a, b) == (strcmp(cond, "EQU") == 0);
		return 0;
	}
	if (!(json_object_is_type(a, json_type_int) || json_object_is_type(a, json_type_double)) ||
	    !(json_object_is_type(b, json_type_int) || json_object_is_type(b, json_type_double)))
		return -EINVAL;
	x = json_object_get_double(a);
	y = json_object_get_double(b);
	if (strcmp(cond, "GTR") == 0)
		*ret = x > y;
	else if (strcmp(cond, "GEQ") == 0)
		*ret = x >= y;
	else if (strcmp(cond, "LSS") == 0)
		*ret = x < y;
	else if (strcmp(cond, "LEQ") == 0)
		*ret = x <= y;
	else
		return -EINVAL;
	return 0;
}

/* Whether a dependency's MapFrom holds on the values after the change; its text in why. */
static int holds(struct json_object *map, struct json_object *reg_attrs,
		 struct json_object *after, struct hf_buf *why, bool *ret)
{
	struct json_object *from = member(map, "MapFrom");
	size_t i, n = json_object_is_type(from, json_type_array) ? json_object_array_length(from) : 0;
	bool result = false;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		struct json_object *term = json_object_array_get_idx(from, i);
		const char *attr = str_of(term, "MapFromAttribute"), *cond = str_of(term, "MapFromCondition");
		const char *prop = str_of(term, "MapFromProperty"), *terms = str_of(term, "MapTerms");
		struct json_object *v, *want = member(term, "MapFromValue");
		char shown[100];
		bool one;

		if (!attr || !cond)
			return -EINVAL;
		v = !prop || strcmp(prop, "CurrentValue") == 0 ? member(after, attr)
							   : member(member(reg_attrs, attr), prop);
		if (compare(v, cond, want, &one) < 0)
			return -EINVAL;
		if (i == 0)
			result = one;
		else if (terms && strcmp(terms, "OR") == 0)
			result = result || one;
		else
			result = result && one; /* AND, and a missing MapTerms */
		value_text(want, shown, sizeof(shown));
		if (hf_buf_printf(why, "%s%s%s%s %s %s", i ? " " : "", i ? (terms ? terms : "AND") : "",
				  i ? " " : "", attr,
				  strcmp(cond, "EQU") == 0   ? "is"
				  : strcmp(cond, "NEQ") == 0 ? "is not"
				  : strcmp(cond, "GTR") == 0 ? ">"
				  : strcmp(cond, "GEQ") == 0 ? ">="
				  : strcmp(cond, "LSS") == 0 ? "<"
							     : "<=",
				  shown) < 0)
			return -ENOMEM;
	}
	*ret = result;
	return 0;
}

/* Overrides: {attribute: {property: {"value": V, "why": text}}} of the dependencies that hold. */
static int overrides(struct json_object *reg, struct json_object *after, struct json_object *out)
{
	struct json_object *deps = member(reg, "dependencies"), *attrs = member(reg, "attributes");
	size_t i, n = json_object_is_type(deps, json_type_array) ? json_object_array_length(deps) : 0;

	for (i = 0; i < n; i++) {
		struct json_object *map = json_object_array_get_idx(deps, i), *o, *per, *to_value;
		const char *to = str_of(map, "MapToAttribute"), *prop = str_of(map, "MapToProperty");
		struct hf_buf why = { 0 }, text = { 0 };
		bool yes = false;
		int r;

		to_value = member(map, "MapToValue");
		if (!to || !prop)
			continue;
		r = holds(map, attrs, after, &why, &yes);
		if (r == -ENOMEM || (r == 0 && yes && hf_buf_printf(&text, "(registry dependency: while %s)", why.data) < 0)) {
			hf_buf_free(&why);
			return -ENOMEM;
		}
		hf_buf_free(&why);
		if (r < 0 || !yes)
			continue;
		per = member(out, to);
		if (!per) {
			per = json_object_new_object();
			if (!per || json_object_object_add(out, to, per) < 0) {
				json_object_put(per);
				hf_buf_free(&text);
				return -ENOMEM;
			}
		}
		/* the first rule that holds wins: a later one does not undo a refusal */
		if (member(per, prop) && (strcmp(prop, "ReadOnly") == 0 || strcmp(prop, "GrayOut") == 0) &&
		    json_object_get_boolean(member(member(per, prop), "value"))) {
			hf_buf_free(&text);
			continue;
		}
		o = json_object_new_object();
		if (!o || json_object_object_add(per, prop, o) < 0 ||
		    json_object_object_add(o, "value", json_object_get(to_value)) < 0 ||
		    json_object_object_add(o, "why", json_object_new_string(text.data)) < 0) {
			hf_buf_free(&text);
			return -ENOMEM;
		}
		hf_buf_free(&text);
	}
	return 0;
}

/* current, then pending, then desired: a new object */
static struct json_object *values_after(struct json_object *current, struct json_object *pending,
					struct json_object *desired)
{
	struct json_object *layers[] = { current, pending, desired };
	struct json_object *after = json_object_new_object();
	size_t i;

	for (i = 0; after && i < 3; i++) {
		if (!json_object_is_type(layers[i], json_type_object))
			continue;
		json_object_object_foreach(layers[i], k, v)
		{
			if (json_object_object_add(after, k, json_object_get(v)) < 0) {
				json_object_put(after);
				return NULL;
			}
		}
	}
	return after;
}

int hf_attrreg_check(struct json_object *reg, const char *prefix, struct json_object *current,
		     struct json_object *pending, struct json_object *desired,
		     struct json_object *violations)
{
	struct json_object *attrs = member(reg, "attributes"), *after, *over;
	int r = 0, count = 0;

	if (!json_object_is_type(desired, json_type_object))
		return 0;
	after = values_after(current, pending, desired);
	over = json_object_new_object();
	if (!after || !over || overrides(reg, after, over) < 0) {
		r = -ENOMEM;
		goto out;
	}
	json_object_object_foreach(desired, name, value)
	{
		struct json_object *attr = member(attrs, name);
		struct target t = { violations, prefix, name, value, false, "" };

		if (!attr || hf_json_same(member(current, name), value))
			continue;
		t.secret = hf_mask_is_secret_key(name) ||
			   (str_of(attr, "Type") && strcmp(str_of(attr, "Type"), "Password") == 0);
		if (t.secret)
			snprintf(t.shown, sizeof(t.shown), "\"****\"");
		else
			value_text(value, t.shown, sizeof(t.shown));
		r = check_one(&t, attr, member(over, name));
		if (r < 0)
			goto out;
		count += r;
	}
	r = count;
out:
	json_object_put(after);
	json_object_put(over);
	return r;
}

/* ---- @Redfish.AllowableValues ---- */

/* NOLINTNEXTLINE(misc-no-recursion): as deep as the desired state, checked to be at most 32 */
static int allowable(struct json_object *cur, struct json_object *des, struct hf_buf *ptr,
		     struct json_object *violations)
{
	size_t mark = ptr->len;
	int count = 0, r;

	json_object_object_foreach(des, key, dv)
	{
		struct json_object *cv = member(cur, key), *allowed;
		struct hf_buf name = { 0 };

		ptr->len = mark;
		ptr->data[mark] = '\0';
		if (json_object_is_type(dv, json_type_object)) {
			if (hf_buf_printf(ptr, "/%s", key) < 0)
				return -ENOMEM;
			r = allowable(cv, dv, ptr, violations);
			if (r < 0)
				return r;
			count += r;
			continue;
		}
		if (hf_buf_printf(&name, "%s@Redfish.AllowableValues", key) < 0)
			return -ENOMEM;
		allowed = member(cur, name.data);
		hf_buf_free(&name);
		if (!json_object_is_type(allowed, json_type_array) || hf_json_same(cv, dv))
			continue;
		r = 0;
		for (size_t i = 0; i < json_object_array_length(allowed); i++)
			if (hf_json_same(json_object_array_get_idx(allowed, i), dv))
				r = 1;
		if (r)
			continue;
		{
			struct target t = { violations, ptr->data, key, dv, hf_mask_is_secret_key(key), "" };
			char list[400];

			value_text(dv, t.shown, sizeof(t.shown));
			value_text(allowed, list, sizeof(list));
			r = REFUSE(&t, "%s is not allowed: one of %s (@Redfish.AllowableValues)", t.shown,
				   list);
			if (r < 0)
				return r;
			count += r;
		}
	}
	ptr->len = mark;
	ptr->data[mark] = '\0';
	return count;
}

int hf_allowable_check(struct json_object *current, struct json_object *desired,
		       struct json_object *violations)
{
	struct hf_buf ptr = { 0 };
	int r;

	if (hf_buf_append(&ptr, "", 0) < 0)
		return -ENOMEM;
	r = allowable(current, desired, &ptr, violations);
	hf_buf_free(&ptr);
	return r;
}
