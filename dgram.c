/*
 * dgram.c: dracd's UDP transport: one datagram is one call.
 *
 * Each datagram is read whole (recvmmsg(), below) into a buffer of its
 * own size limit; a datagram longer than DGRAM_MAX, or whose control data was
 * cut, is dropped.  The call is decoded from exactly the bytes received
 * (rpc.c), so a short datagram can never be completed with an earlier
 * caller's bytes.  The reply goes back (sendmmsg()) from the address
 * the call was sent to (IP_PKTINFO, IPV6_PKTINFO), so that a host with
 * several addresses answers from the right one; a reply the socket
 * cannot take at once is dropped, as UDP may (the client retries).
 *
 * Spoofing: over UDP the source address is whatever the sender wrote.
 * Linux drops IPv4 datagrams from outside that claim one of this host's
 * addresses, but not IPv6 ones, and a datagram this host sends to itself
 * always comes in on the loopback interface.  So a datagram whose source
 * is one of this host's addresses (or a loopback address) and that came
 * in on any other interface is marked forged, and the handlers refuse
 * its adds.  The arrival interface cannot be read from IPV6_PKTINFO:
 * for a datagram the host sent itself Linux reports the interface of the
 * destination address, not loopback.  What does see the receiving
 * device is a classic BPF program (SKF_AD_IFINDEX) that steers each
 * datagram within a SO_REUSEPORT group: each UDP address has a pair of
 * sockets (listen.c), and the program sends what came in on loopback to
 * the first and the rest to the second, the "outside" one.  This host's
 * addresses are read with getifaddrs() at most once per OWN_TTL msec,
 * when a datagram on an outside socket needs them.
 *
 * A readable socket gets at most DGRAM_BATCH datagrams per round of the
 * event loop, so that the other sockets wait for no more than a batch,
 * read with one recvmmsg() and answered with one sendmmsg() once the
 * batch is served: two system calls for a batch, where one recvmsg()
 * and one sendmsg() a datagram, and a last recvmsg() to find the socket
 * empty, cost 2n + 1.
 */
#include <sys/socket.h>

#include <linux/filter.h>

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "clock.h"
#include "dgram.h"
#include "log.h"
#include "rpc.h"

#define DGRAM_MAX	8800	/* as libtirpc's UDPMSGSIZE */
#define DGRAM_BATCH	32
#define OWN_TTL		1000	/* msec this host's addresses are kept */

union pktinfo {
	struct cmsghdr	h;
	char		b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
};

/* Where a datagram arrived: interface and destination address. */
struct arrival {
	int		family;		/* 0: unknown */
	unsigned int	ifindex;	/* the reply needs it (IPv6) */
	struct in_addr	dst4;
	struct in6_addr	dst6;
};

static struct {
	struct addr	*a;
	size_t		 n;
	long long	 at;		/* clock_ms() of the reading; 0 none */
} own;

/* The index of the loopback interface. */
static unsigned int
loopback_index(void)
{
	struct ifaddrs	*ifa, *i;
	unsigned int	 idx = 0;

	if (getifaddrs(&ifa) == -1)
		fatal("getifaddrs");
	for (i = ifa; i != NULL && idx == 0; i = i->ifa_next)
		if (i->ifa_flags & IFF_LOOPBACK)
			idx = if_nametoindex(i->ifa_name);
	freeifaddrs(ifa);
	if (idx == 0)
		fatalx("no loopback interface");
	return idx;
}

/*
 * Steer the datagrams of fd's SO_REUSEPORT group: those that came in on
 * loopback to the group's first socket (fd), the rest to the second.
 */
static int
steer(int fd)
{
	struct sock_filter	code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_IFINDEX),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, loopback_index(), 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 1),
	};
	struct sock_fprog	prog = { .len = 4, .filter = code };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
	    sizeof(prog)) == -1) {
		log_warn("SO_ATTACH_REUSEPORT_CBPF");
		return -1;
	}
	return 0;
}

/*
 * Prepare a bound UDP socket fd of family af: the arrival address of
 * each datagram (for the reply), and for the first socket of a pair
 * (not outside) the program that steers the pair's datagrams.
 */
int
dgram_prepare(int fd, int af, int outside)
{
	int	on = 1, r;

	if (af == AF_INET)
		r = setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	else
		r = setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
		    sizeof(on));
	if (r == -1) {
		log_warn("setsockopt pktinfo");
		return -1;
	}
	return outside ? 0 : steer(fd);
}

/* Read this host's addresses again. */
static void
own_refresh(void)
{
	struct ifaddrs	*ifa, *i;
	size_t		 n = 0;

	if (getifaddrs(&ifa) == -1) {
		log_warn("getifaddrs");
		return;
	}
	for (i = ifa; i != NULL; i = i->ifa_next)
		n++;
	free(own.a);
	if ((own.a = calloc(n + 1, sizeof(*own.a))) == NULL)
		fatal("address table");
	own.n = 0;
	for (i = ifa; i != NULL; i = i->ifa_next)
		if (i->ifa_addr != NULL &&
		    addr_from_sockaddr(&own.a[own.n], i->ifa_addr) == 0)
			own.n++;
	freeifaddrs(ifa);
	own.at = clock_ms();
}

/* Non-zero when sa is a loopback address or one of this host's. */
static int
own_address(const struct sockaddr *sa)
{
	struct addr	ad;
	size_t		i;

	if (addr_from_sockaddr(&ad, sa) == -1)
		return 0;
	if ((addr_is_v4(&ad) && ad.a[12] == 127) ||
	    IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)ad.a))
		return 1;
	for (i = 0; i < own.n; i++)
		if (memcmp(&own.a[i], &ad, sizeof(ad)) == 0)
			return 1;
	return 0;
}

/* Whether sa, from outside, claims a source only this host can have. */
static int
forged(const struct sockaddr *sa)
{
	if (own.at == 0 || clock_ms() - own.at >= OWN_TTL)
		own_refresh();
	return own_address(sa);
}

/* Find the arrival interface and address in the control data of mh. */
static void
arrival(struct msghdr *mh, struct arrival *ar)
{
	struct cmsghdr		*cm;
	struct in_pktinfo	 p4;
	struct in6_pktinfo	 p6;

	memset(ar, 0, sizeof(*ar));
	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO) {
			memcpy(&p4, CMSG_DATA(cm), sizeof(p4));
			ar->family = AF_INET;
			ar->ifindex = (unsigned int)p4.ipi_ifindex;
			ar->dst4 = p4.ipi_addr;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO) {
			memcpy(&p6, CMSG_DATA(cm), sizeof(p6));
			ar->family = AF_INET6;
			ar->ifindex = p6.ipi6_ifindex;
			ar->dst6 = p6.ipi6_addr;
		}
	}
}

/* Control data that sends from the address the datagram came to. */
static socklen_t
source(const struct arrival *ar, union pktinfo *ctl)
{
	struct msghdr		 mh = { .msg_control = ctl->b };
	struct cmsghdr		*cm;
	struct in_pktinfo	 p4;
	struct in6_pktinfo	 p6;

	memset(ctl, 0, sizeof(*ctl));
	mh.msg_controllen = sizeof(ctl->b);
	cm = CMSG_FIRSTHDR(&mh);
	if (ar->family == AF_INET) {
		memset(&p4, 0, sizeof(p4));
		p4.ipi_spec_dst = ar->dst4;
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(p4));
		memcpy(CMSG_DATA(cm), &p4, sizeof(p4));
		return CMSG_SPACE(sizeof(p4));
	}
	memset(&p6, 0, sizeof(p6));
	p6.ipi6_addr = ar->dst6;
	p6.ipi6_ifindex = ar->ifindex;
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(p6));
	memcpy(CMSG_DATA(cm), &p6, sizeof(p6));
	return CMSG_SPACE(sizeof(p6));
}

/*
 * Send the n replies of m, each from the address its call came to.  A
 * reply the kernel refuses with that source (a broadcast destination,
 * say) goes once more without it, letting the kernel choose; one the
 * socket cannot take at once is dropped.
 */
static void
send_all(int fd, struct mmsghdr *m, int n)
{
	struct msghdr	*mh;
	int		 k = 0, r;

	while (k < n) {
		if ((r = sendmmsg(fd, m + k, n - k, MSG_DONTWAIT)) > 0) {
			k += r;
			continue;
		}
		mh = &m[k++].msg_hdr;
		if (r == -1 && mh->msg_control != NULL && errno != EAGAIN &&
		    errno != EWOULDBLOCK) {
			mh->msg_control = NULL;
			mh->msg_controllen = 0;
			(void)sendmsg(fd, mh, MSG_DONTWAIT);
		}
	}
}

/*
 * A batch: each datagram's bytes, source, control data and reply, in
 * arrays of their own, and the headers recvmmsg() fills, set up once:
 * a call touches only the slots of the datagrams it read.
 */
static unsigned char		bufs[DGRAM_BATCH][DGRAM_MAX];
static unsigned char		outs[DGRAM_BATCH][RPC_REPLYMAX];
static struct sockaddr_storage	from[DGRAM_BATCH];
static union pktinfo		ctls[DGRAM_BATCH], sctls[DGRAM_BATCH];
static struct iovec		iovs[DGRAM_BATCH], oiovs[DGRAM_BATCH];
static struct mmsghdr		ins[DGRAM_BATCH];

/* Make header i ready for recvmmsg(). */
static void
ready(int i)
{
	struct msghdr	*mh = &ins[i].msg_hdr;

	iovs[i].iov_base = bufs[i];
	iovs[i].iov_len = sizeof(bufs[i]);
	mh->msg_iov = &iovs[i];
	mh->msg_iovlen = 1;
	mh->msg_name = &from[i];
	mh->msg_namelen = sizeof(from[i]);
	mh->msg_control = ctls[i].b;
	mh->msg_controllen = sizeof(ctls[i].b);
	mh->msg_flags = 0;
}

/* Serve datagram i of the batch (outside: see above); its reply in out. */
static int
serve(int i, int outside, struct mmsghdr *out)
{
	struct msghdr	*mh = &ins[i].msg_hdr;
	struct caller	 c = { .transport = RPC_UDP };
	struct arrival	 ar;
	size_t		 len;

	if (mh->msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return 0;
	memcpy(&c.addr, &from[i], sizeof(from[i]));
	arrival(mh, &ar);
	c.forged = outside && forged((struct sockaddr *)&c.addr);
	if ((len = rpc_serve(bufs[i], ins[i].msg_len, &c, outs[i])) == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	oiovs[i].iov_base = outs[i];
	oiovs[i].iov_len = len;
	out->msg_hdr.msg_iov = &oiovs[i];
	out->msg_hdr.msg_iovlen = 1;
	out->msg_hdr.msg_name = &from[i];
	out->msg_hdr.msg_namelen = mh->msg_namelen;
	if (ar.family != 0) {
		out->msg_hdr.msg_control = sctls[i].b;
		out->msg_hdr.msg_controllen = source(&ar, &sctls[i]);
	}
	return 1;
}

/*
 * Serve the datagrams waiting on fd, at most DGRAM_BATCH of them: read
 * with one recvmmsg(), answered with one sendmmsg() once all are served.
 */
void
dgram_read(int fd, int outside)
{
	static int	 set;
	struct mmsghdr	 out[DGRAM_BATCH];
	int		 i, n, nout = 0;

	for (; set < DGRAM_BATCH; set++)
		ready(set);
	if ((n = recvmmsg(fd, ins, DGRAM_BATCH, MSG_DONTWAIT, NULL)) == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			log_warn("recvmmsg");
		return;
	}
	for (i = 0; i < n; i++)
		nout += serve(i, outside, &out[nout]);
	send_all(fd, out, nout);
	for (i = 0; i < n; i++)
		ready(i);
}
