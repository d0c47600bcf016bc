/* SPDX-License-Identifier: MIT */
/*
 * chif-emu.h - what the emulated CHIF library's files share (chif-emu.c: the channel, the
 * packet builders, the sizes; appaccount-emu.c: the iLO 7 application accounts).
 */
#ifndef HOSTFISH_CHIF_EMU_H
#define HOSTFISH_CHIF_EMU_H

#include <stddef.h>

#define EXPORT __attribute__((visibility("default")))

/* Entering and leaving an entry point: two threads inside the library at once stop the
 * process (see chif-emu.c). */
void emu_enter(const char *fn);
void emu_leave(void);

/* Every exported function runs its body (name_) between enter() and leave(). */
#define GUARDED(type, call)        \
	({                         \
		type guarded_;     \
		emu_enter(__func__);   \
		guarded_ = (call); \
		emu_leave();           \
		guarded_;          \
	})
/* NOLINTBEGIN(bugprone-macro-parentheses): a type and parameter lists */
#define EXPORTED(type, name, params, args)         \
	EXPORT type name params                    \
	{                                          \
		return GUARDED(type, name##_ args); \
	}
#define EXPORTED_VOID(name, params, args) \
	EXPORT void name params           \
	{                                 \
		emu_enter(__func__);          \
		name##_ args;             \
		emu_leave();                  \
	}
/* NOLINTEND(bugprone-macro-parentheses) */

/* A connection to the emulator's CHIF socket ($HOSTFISH_EMU_CHIF_SOCKET), or -1. */
int emu_connect(void);
/* One operation on a connection of its own: the status byte (>= 0) or a negative channel
 * error; the answer's payload in out (at most outlen bytes). */
int emu_oneshot(char op, const void *data, size_t len, void *out, size_t outlen);

#endif /* HOSTFISH_CHIF_EMU_H */
