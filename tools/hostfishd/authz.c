/* SPDX-License-Identifier: MIT */
/*
 * authz.c - who may use the agent: the peer's credentials (SO_PEERCRED), decided once per
 * connection when it is accepted.
 *
 *   uid 0, or the agent's own uid          full access (such a peer could read the agent's
 *                                          memory anyway, session token included)
 *   member of --group (default hostfish)   full access
 *   member of --ro-group (hostfish-ro)     GET and HEAD
 *   anyone else                            403
 *
 * Membership: the peer's gid, and the groups of its user in the group database
 * (getgrouplist() of the passwd entry of its uid).  A change of membership applies to the
 * connections made after it; the group names are resolved again on SIGHUP.
 *
 * The socket file itself is the first barrier: mode 0660, group --group, and a POSIX ACL
 * entry that lets --ro-group connect too (written as the system.posix_acl_access attribute,
 * so no libacl is needed).  Everybody else cannot even connect.  A socket that systemd
 * created (socket activation) keeps the owner, group and mode of its socket unit; the agent
 * only adds the ACL entry for --ro-group (authz_grant_ro_group()).
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "agent.h"

#define NSS_BUF_MAX (1 << 20)
#define GROUPS_MAX 65536

const char *role_name(int role)
{
	return role == ROLE_RW ? "read-write" : role == ROLE_RO ? "read-only" : "none";
}

/* A group by name (or number): 1 found, 0 not found, negative errno. */
static int lookup_group(const char *name, gid_t *ret)
{
	struct group gr, *res = NULL;
	size_t len = 4096;
	char *buf = NULL;
	long v;
	int r;

	for (;;) {
		char *p = realloc(buf, len);

		if (!p) {
			free(buf);
			return -ENOMEM;
		}
		buf = p;
		r = getgrnam_r(name, &gr, buf, len, &res);
		if (r != ERANGE || len >= NSS_BUF_MAX)
			break;
		len *= 2;
	}
	if (r == 0 && res)
		*ret = res->gr_gid;
	free(buf);
	if (r == 0 && res)
		return 1;
	if (tools_parse_long(name, 0, 0x7ffffffe, &v)) {
		*ret = (gid_t)v;
		return 1;
	}
	return r == 0 || r == ENOENT || r == ESRCH ? 0 : -r;
}

int authz_resolve_groups(struct agent *a)
{
	gid_t rw = 0, ro = 0;
	int r_rw, r_ro;

	r_rw = lookup_group(a->cfg.group, &rw);
	r_ro = lookup_group(a->cfg.ro_group, &ro);
	if (r_rw <= 0)
		agent_log(ALOG_WARN, "group %s %s: only root has full access", a->cfg.group,
			  r_rw == 0 ? "does not exist" : "cannot be looked up");
	if (r_ro <= 0)
		agent_log(ALOG_NOTICE, "group %s %s: no read-only access", a->cfg.ro_group,
			  r_ro == 0 ? "does not exist" : "cannot be looked up");
	pthread_mutex_lock(&a->groups_lock);
	a->have_rw_gid = r_rw > 0;
	a->rw_gid = rw;
	a->have_ro_gid = r_ro > 0;
	a->ro_gid = ro;
	pthread_mutex_unlock(&a->groups_lock);
	return 0;
}

/* The authorized groups as they are now (reloaded by SIGHUP from another thread). */
static void groups_snapshot(struct agent *a, bool *have_rw, gid_t *rw, bool *have_ro, gid_t *ro)
{
	pthread_mutex_lock(&a->groups_lock);
	*have_rw = a->have_rw_gid;
	*rw = a->rw_gid;
	*have_ro = a->have_ro_gid;
	*ro = a->ro_gid;
	pthread_mutex_unlock(&a->groups_lock);
}

/* The groups of uid in the group database, plus gid.  Returns the count; *ret to free. */
static int user_groups(uid_t uid, gid_t gid, gid_t **ret)
{
	struct passwd pw, *res = NULL;
	size_t len = 4096;
	char *buf = NULL;
	gid_t *groups = NULL;
	int n = 1, r;

	for (;;) {
		char *p = realloc(buf, len);

		if (!p)
			goto fail;
		buf = p;
		r = getpwuid_r(uid, &pw, buf, len, &res);
		if (r != ERANGE || len >= NSS_BUF_MAX)
			break;
		len *= 2;
	}
	if (r == 0 && res) {
		n = 64;
		for (;;) {
			gid_t *g = realloc(groups, sizeof(gid_t) * ((size_t)n + 1));
			int want = n;

			if (!g)
				goto fail;
			groups = g;
			if (getgrouplist(res->pw_name, res->pw_gid, groups, &want) >= 0) {
				n = want;
				break;
			}
			if (want <= n || want > GROUPS_MAX) {
				/* cannot grow: keep what was returned */
				break;
			}
			n = want;
		}
	} else {
		groups = malloc(sizeof(gid_t));
		if (!groups)
			goto fail;
		n = 0;
	}
	groups[n++] = gid;
	free(buf);
	*ret = groups;
	return n;
fail:
	free(buf);
	free(groups);
	return -ENOMEM;
}

int authz_peer_role(struct agent *a, int fd, uid_t *uid, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t *groups = NULL, rw, ro;
	bool have_rw, have_ro;
	int role = ROLE_NONE, n, i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (len != sizeof(cred))
		return -EPROTO;
	*uid = cred.uid;
	*pid = cred.pid;
	if (cred.uid == 0 || cred.uid == a->self_uid)
		return ROLE_RW;

	groups_snapshot(a, &have_rw, &rw, &have_ro, &ro);
	if (!have_rw && !have_ro)
		return ROLE_NONE;

	n = user_groups(cred.uid, cred.gid, &groups);
	if (n < 0) {
		free(groups);
		return n;
	}
	for (i = 0; i < n; i++) {
		if (have_rw && groups[i] == rw) {
			role = ROLE_RW;
			break;
		}
		if (have_ro && groups[i] == ro)
			role = ROLE_RO;
	}
	free(groups);
	return role;
}

/* POSIX ACL in the kernel's xattr format (little-endian): version, then sorted entries. */
enum {
	ACL_XATTR_VERSION = 2,
	TAG_USER_OBJ = 0x01,
	TAG_GROUP_OBJ = 0x04,
	TAG_GROUP = 0x08,
	TAG_MASK = 0x10,
	TAG_OTHER = 0x20,
};

static size_t acl_put(unsigned char *p, unsigned tag, unsigned perm, uint32_t id)
{
	p[0] = tag & 0xff;
	p[1] = (tag >> 8) & 0xff;
	p[2] = perm & 0xff;
	p[3] = 0;
	p[4] = id & 0xff;
	p[5] = (id >> 8) & 0xff;
	p[6] = (id >> 16) & 0xff;
	p[7] = (id >> 24) & 0xff;
	return 8;
}

/*
 * The ACL of a file of mode "mode" plus a named entry giving "extra" read-write, limited by a
 * mask equal to the owning group's bits: with a mask, the group bits of st_mode show the mask,
 * so the file's mode is the same before and after.
 */
static int set_group_acl(const char *path, mode_t mode, gid_t extra)
{
	unsigned char acl[4 + 5 * 8];
	size_t n = 0;

	acl[n++] = ACL_XATTR_VERSION;
	acl[n++] = 0;
	acl[n++] = 0;
	acl[n++] = 0;
	n += acl_put(acl + n, TAG_USER_OBJ, (mode >> 6) & 7, UINT32_MAX);
	n += acl_put(acl + n, TAG_GROUP_OBJ, (mode >> 3) & 7, UINT32_MAX);
	n += acl_put(acl + n, TAG_GROUP, 6, (uint32_t)extra);
	n += acl_put(acl + n, TAG_MASK, (mode >> 3) & 7, UINT32_MAX);
	n += acl_put(acl + n, TAG_OTHER, mode & 7, UINT32_MAX);
	return setxattr(path, "system.posix_acl_access", acl, n, 0) < 0 ? -errno : 0;
}

void authz_secure_socket(struct agent *a, const char *path)
{
	bool have_rw, have_ro;
	gid_t rw, ro;
	int r;

	groups_snapshot(a, &have_rw, &rw, &have_ro, &ro);

	if (chmod(path, 0660) < 0)
		agent_log(ALOG_WARN, "cannot set the mode of %s: %s", path, strerror(errno));
	if (have_rw && chown(path, (uid_t)-1, rw) < 0)
		agent_log(ALOG_WARN, "cannot give %s to group %s: %s (its members cannot connect)",
			  path, a->cfg.group, strerror(errno));
	if (have_ro && (!have_rw || ro != rw)) {
		r = set_group_acl(path, 0660, ro);
		if (r < 0)
			agent_log(ALOG_WARN,
				  "cannot let group %s connect to %s (POSIX ACL: %s): its members "
				  "have no access",
				  a->cfg.ro_group, path, strerror(-r));
	}
}

void authz_grant_ro_group(struct agent *a, const char *path)
{
	struct stat st;
	bool have_rw, have_ro;
	gid_t rw, ro;
	int r;

	groups_snapshot(a, &have_rw, &rw, &have_ro, &ro);

	if (path[0] != '/' || !have_ro || lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return; /* abstract or unnamed socket, or no such group: nothing to add */
	if (st.st_gid == ro || (have_rw && ro == rw))
		return;
	if (getxattr(path, "system.posix_acl_access", NULL, 0) >= 0) {
		agent_log(ALOG_INFO, "%s already has a POSIX ACL: left as it is", path);
		return;
	}
	if (errno != ENODATA) {
		agent_log(ALOG_WARN, "cannot read the POSIX ACL of %s: %s (group %s has no access)",
			  path, strerror(errno), a->cfg.ro_group);
		return;
	}
	r = set_group_acl(path, st.st_mode & 0777, ro);
	if (r < 0)
		agent_log(ALOG_WARN,
			  "cannot let group %s connect to %s (POSIX ACL: %s): its members "
			  "have no access",
			  a->cfg.ro_group, path, strerror(-r));
	else
		agent_log(ALOG_NOTICE, "%s: POSIX ACL entry for group %s added (mode %03o kept)",
			  path, a->cfg.ro_group, (unsigned)(st.st_mode & 0777));
}
