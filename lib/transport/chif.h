/* SPDX-License-Identifier: MIT */
/*
 * chif.h - the CHIF backend's internals: HPE's channel library, loaded at run time.
 *
 * HPE ships the CHIF channel code only as a closed library (ilorest_chif.so,
 * libilorestchif.so).  Its entry points and calling conventions are those that HPE's
 * python-ilorest-library (redfish/hpilo/rishpilo.py, risblobstore2.py) uses.  The needed
 * symbols are listed once, in HF_CHIF_SYMBOLS; each becomes a typed sym_ pointer.
 */
#ifndef HOSTFISH_CHIF_H
#define HOSTFISH_CHIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where HPE's packages install the library; then the bare names on the search path. */
#define HF_CHIF_LIBRARY_ENV "HOSTFISH_CHIF_LIBRARY"
#define HF_CHIF_DEFAULT_LIBRARIES                                                           \
	"/opt/ilorest/lib64/libilorestchif.so", "/usr/lib64/ilorest_chif.so", "ilorest_chif.so", \
		"libilorestchif.so"

/* Channel errors (errno values of the Linux library, as python-ilorest-library reads them) */
#define HF_CHIF_ERR_ACCESS_DENIED 13
#define HF_CHIF_ERR_NO_DRIVER 19

/* Blobstore2 error codes (u32 at byte 8 of every reply) */
#define HF_CHIF_BLOB_SUCCESS 0
#define HF_CHIF_BLOB_BADPARAMETER 2
#define HF_CHIF_BLOB_NOTFOUND 12
#define HF_CHIF_BLOB_NOTMODIFIED 20

/* X(return type, name, parameter list) */
#define HF_CHIF_SYMBOLS(X)                                                                 \
	X(int, ChifInitialize, (void *reserved))                                           \
	X(int, ChifCreate, (void **handle))                                                \
	X(int, ChifPing, (void *handle))                                                   \
	X(int, ChifSetRecvTimeout, (void *handle, int ms))                                 \
	X(int, ChifPacketExchange, (void *handle, const void *send, void *recv, int size)) \
	X(int, ChifClose, (void *handle))                                                  \
	X(int, ChifIsSecurityRequired, (void))                                             \
	X(unsigned char *, initiate_credentials, (const char *user, const char *password)) \
	X(int, ChifVerifyCredentials, (void))                                              \
	X(int, ChifDisableSecurity, (void))                                                \
	X(unsigned char *, get_security_state, (void))                                     \
	X(unsigned char *, create_not_blobentry, (const char *key, const char *ns))        \
	X(unsigned char *, write_fragment,                                                 \
	  (unsigned offset, unsigned count, const char *key, const char *ns))              \
	X(unsigned char *, finalize_blob, (const char *key, const char *ns))               \
	X(unsigned char *, get_info, (const char *key, const char *ns))                    \
	X(unsigned char *, read_fragment,                                                  \
	  (unsigned offset, unsigned count, const char *key, const char *ns))              \
	X(unsigned char *, delete_blob, (const char *key, const char *ns))                 \
	X(unsigned char *, rest_immediate, (unsigned len, const char *key, const char *ns)) \
	X(unsigned char *, rest_immediate_blobdesc,                                        \
	  (const char *req_key, const char *rsp_key, const char *ns))                      \
	X(int, size_of_createRequest, (void))                                              \
	X(int, size_of_writeRequest, (void))                                               \
	X(int, size_of_finalizeRequest, (void))                                            \
	X(int, size_of_infoRequest, (void))                                                \
	X(int, size_of_readRequest, (void))                                                \
	X(int, size_of_deleteRequest, (void))                                              \
	X(int, size_of_restImmediateRequest, (void))                                       \
	X(int, size_of_restBlobRequest, (void))                                            \
	X(int, size_of_restResponseFixed, (void))                                          \
	X(int, size_of_responseHeaderBlob, (void))                                         \
	X(int, size_of_securityStateRequest, (void))                                       \
	X(int, max_read_size, (void))                                                      \
	X(int, max_write_size, (void))                                                     \
	X(int, get_max_buffer_size, (void))                                                \
	X(void, updaterandval, (unsigned short value))

struct hf_chif_lib {
	void *dl;
	char path[512]; /* the file that was loaded, for messages */
/* NOLINTNEXTLINE(bugprone-macro-parentheses): a type */
#define HF_CHIF_SYM_FIELD(ret, name, args) ret(*sym_##name) args;
	HF_CHIF_SYMBOLS(HF_CHIF_SYM_FIELD)
#undef HF_CHIF_SYM_FIELD
};

/*
 * The process's one copy of HPE's library (lib/host/chif-lib.c): one dlopen(), reference
 * counted, shared by every user in the process.  The file is the explicit path when given (no
 * fall-back), else $HOSTFISH_CHIF_LIBRARY, else HF_CHIF_DEFAULT_LIBRARIES in order; once the
 * library is loaded, the default search takes it and an explicit path must name that very
 * library (-EBUSY otherwise: one process, one library).  -ENOTSUP with what was tried, the
 * dlerror() text and how to get the library in err.
 *
 * hf_chif_dl_acquire: a reference on the handle in *dl, the name it was loaded by in name;
 * hf_chif_dl_release drops it (NULL accepted).  For other symbol sets (application accounts).
 */
int hf_chif_dl_acquire(const char *path, void **dl, char *name, size_t namelen, char *err,
		       size_t errlen);
void hf_chif_dl_release(void *dl);

/* A reference on the library with every HF_CHIF_SYMBOLS entry point resolved; close drops
 * it and clears lib. */
int hf_chif_lib_open(const char *path, struct hf_chif_lib *lib, char *err, size_t errlen);
void hf_chif_lib_close(struct hf_chif_lib *lib);

/*
 * The process-wide lock around EVERY call into HPE's library, for every user: its builders
 * fill one static buffer (copy the packet out before unlocking), and ChifInitialize,
 * initiate_credentials, ChifVerifyCredentials, ChifDisableSecurity and updaterandval change
 * library-wide state.  Not recursive: never call one of these with the lock held.
 *
 * hf_chif_lock_wait: take it, but give up at deadline (hf_now_ms() milliseconds; 0: none)
 * with -ETIMEDOUT, or with -EINTR as soon as stop(arg) says so (looked at every 50 ms while
 * another thread holds the lock, e.g. during its packet exchange).  0 when taken.
 */
void hf_chif_lock(void);
int hf_chif_lock_wait(int64_t deadline, bool (*stop)(const void *arg), const void *arg);
void hf_chif_unlock(void);

#endif /* HOSTFISH_CHIF_H */
