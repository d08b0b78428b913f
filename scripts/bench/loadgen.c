/*
 * Boot-storm load generator for ProxyDHCP responders (scripts/bench.ts compiles and drives it).
 *
 * One thread, one UDP socket, sendmmsg/recvmmsg in batches, so that on loopback it outruns any
 * responder it measures. Every request is a real firmware packet (a template file) with its own
 * xid, chaddr and option 61, like a fleet of machines booting at once. Every reply is checked
 * (protocol.md §2, §4, §6): op=2, xid of an outstanding request, same chaddr, message type
 * OFFER (67) or ACK (4011), option 54 present, yiaddr 0, and the expected boot file in `file`.
 *
 * Modes (one JSON line on stdout at the end; `probe` also prints a ready line first):
 *   closed  K requests in flight for --duration s          -> replies/s
 *   open    --rate R requests/s for --duration s            -> latency percentiles, loss
 *   burst   --count N requests (N MACs) as fast as possible -> replies within --window s
 *   probe   one request per --probe-interval-us until the first valid reply (start-up time)
 *
 * Receive times come from the kernel (SO_TIMESTAMPNS), send times from CLOCK_REALTIME just before
 * sendmmsg, so latency covers the kernel path both ways and the responder, not our own loop.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_PACKET 1500
#define SLOT_BITS 20
#define SLOTS (1u << SLOT_BITS)
#define SLOT_MASK (SLOTS - 1)

/* BOOTP fixed header offsets (RFC 2131 §2). */
#define OFF_OP 0
#define OFF_HLEN 2
#define OFF_XID 4
#define OFF_CIADDR 12
#define OFF_YIADDR 16
#define OFF_CHADDR 28
#define OFF_FILE 108
#define FILE_LEN 128
#define OFF_COOKIE 236
#define OFF_OPTIONS 240

enum expect { EXPECT_OFFER, EXPECT_ACK, EXPECT_ECHO };
enum mode { MODE_CLOSED, MODE_OPEN, MODE_BURST, MODE_PROBE };
enum slot_state { SLOT_FREE = 0, SLOT_OUTSTANDING, SLOT_ANSWERED, SLOT_TIMED_OUT };

struct slot {
    uint64_t sent_ns;
    uint32_t xid;
    uint8_t state;
};

/* Why a reply was judged wrong; printed as an object in the result. */
enum wrong_reason {
    W_MALFORMED, W_OP, W_XID, W_DUPLICATE, W_CHADDR, W_MSGTYPE, W_SERVER_ID, W_YIADDR, W_FILE,
    W_COUNT
};
static const char *wrong_names[W_COUNT] = {"malformed", "op", "unknown_xid", "duplicate",
                                           "chaddr", "message_type", "no_option_54",
                                           "yiaddr", "boot_file"};

static struct {
    enum mode mode;
    enum expect expect;
    const char *template_path;
    const char *boot_file;
    struct sockaddr_in server;
    struct sockaddr_in bind;
    double duration_s;
    double rate;
    double window_s;
    double timeout_s;
    unsigned inflight;
    unsigned count;
    unsigned probe_interval_us;
    uint32_t seed;
} opt;

static uint8_t template_pkt[MAX_PACKET];
static size_t template_len;
static int option61_offset = -1; /* offset of option 61's value in the template, if present */

static struct slot *slots;
static uint32_t xid_base;
static uint64_t next_seq; /* sequence number of the next request to send */

static uint64_t sent, valid, late, wrong, wrong_by[W_COUNT], timed_out;
static uint64_t first_valid_ns, last_valid_ns;
static uint32_t *latencies_ns;
static size_t latencies_len, latencies_cap;
static unsigned wrong_printed;

static int sock;

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("loadgen: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void parse_addr(const char *text, struct sockaddr_in *out) {
    char host[64];
    const char *colon = strrchr(text, ':');
    if (!colon || (size_t)(colon - text) >= sizeof host) die("Cannot parse address: %s", text);
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = 0;
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &out->sin_addr) != 1) die("Cannot parse address: %s", text);
}

/* Locally administered unicast MAC 02:<seed>:<seq 32 bits>: distinct for every request. */
static void mac_for(uint64_t seq, uint8_t mac[6]) {
    mac[0] = 0x02;
    mac[1] = (uint8_t)opt.seed;
    mac[2] = (uint8_t)(seq >> 24);
    mac[3] = (uint8_t)(seq >> 16);
    mac[4] = (uint8_t)(seq >> 8);
    mac[5] = (uint8_t)seq;
}

static void load_template(void) {
    FILE *f = fopen(opt.template_path, "rb");
    if (!f) die("Cannot open template %s: %s", opt.template_path, strerror(errno));
    template_len = fread(template_pkt, 1, sizeof template_pkt, f);
    fclose(f);
    if (template_len < OFF_OPTIONS || template_pkt[OFF_COOKIE] != 99 ||
        template_pkt[OFF_COOKIE + 1] != 130 || template_pkt[OFF_COOKIE + 2] != 83 ||
        template_pkt[OFF_COOKIE + 3] != 99)
        die("Cannot use template %s: not a DHCP message", opt.template_path);
    if (template_pkt[OFF_HLEN] != 6) die("Cannot use template: hlen is not 6");
    /* A unicast 4011 REQUEST carries the client's own address in ciaddr, and dnsmasq replies to
     * it: make it ours so the reply comes back over loopback instead of being routed away. */
    if (memcmp(template_pkt + OFF_CIADDR, "\0\0\0\0", 4) != 0) {
        struct in_addr self = opt.bind.sin_addr;
        if (self.s_addr == htonl(INADDR_ANY)) self.s_addr = htonl(INADDR_LOOPBACK);
        memcpy(template_pkt + OFF_CIADDR, &self, 4);
    }
    for (size_t i = OFF_OPTIONS; i < template_len;) {
        uint8_t code = template_pkt[i];
        if (code == 255) break;
        if (code == 0) { i++; continue; }
        if (i + 1 >= template_len) break;
        uint8_t len = template_pkt[i + 1];
        if (code == 61 && len == 7 && template_pkt[i + 2] == 1) option61_offset = (int)i + 3;
        i += 2u + len;
    }
}

/* Writes request `seq` into buf: template with its own xid, chaddr and client identifier. */
static void build_request(uint64_t seq, uint8_t *buf) {
    uint8_t mac[6];
    uint32_t xid = htonl(xid_base + (uint32_t)seq);
    memcpy(buf, template_pkt, template_len);
    memcpy(buf + OFF_XID, &xid, 4);
    mac_for(seq, mac);
    memcpy(buf + OFF_CHADDR, mac, 6);
    if (option61_offset >= 0) memcpy(buf + option61_offset, mac, 6);
}

static void note_wrong(enum wrong_reason reason, uint32_t xid) {
    wrong++;
    wrong_by[reason]++;
    if (wrong_printed++ < 5) fprintf(stderr, "loadgen: wrong reply (%s) xid=%08x\n",
                                      wrong_names[reason], xid);
}

static void record_latency(uint64_t ns) {
    if (latencies_len == latencies_cap) {
        latencies_cap = latencies_cap ? latencies_cap * 2 : 65536;
        latencies_ns = realloc(latencies_ns, latencies_cap * sizeof *latencies_ns);
        if (!latencies_ns) die("Cannot allocate latency buffer");
    }
    latencies_ns[latencies_len++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

/* Finds option `code`; returns its length and sets *value, or -1. */
static int find_option(const uint8_t *pkt, size_t len, uint8_t code, const uint8_t **value) {
    for (size_t i = OFF_OPTIONS; i < len;) {
        uint8_t c = pkt[i];
        if (c == 255) return -1;
        if (c == 0) { i++; continue; }
        if (i + 1 >= len || i + 2u + pkt[i + 1] > len) return -2;
        if (c == code) { *value = pkt + i + 2; return pkt[i + 1]; }
        i += 2u + pkt[i + 1];
    }
    return -1;
}

/* Checks one reply; returns 1 when it is a correct answer to an outstanding request. */
static int check_reply(const uint8_t *pkt, size_t len, uint64_t rx_ns) {
    if (len < OFF_XID + 4) { note_wrong(W_MALFORMED, 0); return 0; }
    uint32_t xid;
    memcpy(&xid, pkt + OFF_XID, 4);
    xid = ntohl(xid);
    uint64_t seq = (uint32_t)(xid - xid_base);
    struct slot *s = &slots[seq & SLOT_MASK];
    if (seq >= next_seq || s->xid != xid || s->state == SLOT_FREE) {
        note_wrong(W_XID, xid);
        return 0;
    }
    if (s->state == SLOT_ANSWERED) { note_wrong(W_DUPLICATE, xid); return 0; }
    if (s->state == SLOT_TIMED_OUT) { late++; s->state = SLOT_ANSWERED; return 0; }

    uint8_t mac[6];
    mac_for(seq, mac);
    if (len < OFF_OPTIONS) { note_wrong(W_MALFORMED, xid); return 0; }
    if (memcmp(pkt + OFF_CHADDR, mac, 6) != 0) { note_wrong(W_CHADDR, xid); return 0; }
    if (opt.expect != EXPECT_ECHO) {
        const uint8_t *v;
        if (pkt[OFF_OP] != 2) { note_wrong(W_OP, xid); return 0; }
        if (memcmp(pkt + OFF_COOKIE, "\x63\x82\x53\x63", 4) != 0) {
            note_wrong(W_MALFORMED, xid);
            return 0;
        }
        uint8_t want_type = opt.expect == EXPECT_OFFER ? 2 : 5;
        if (find_option(pkt, len, 53, &v) != 1 || v[0] != want_type) {
            note_wrong(W_MSGTYPE, xid);
            return 0;
        }
        if (find_option(pkt, len, 54, &v) != 4) { note_wrong(W_SERVER_ID, xid); return 0; }
        if (memcmp(pkt + OFF_YIADDR, "\0\0\0\0", 4) != 0) { note_wrong(W_YIADDR, xid); return 0; }
        if (opt.boot_file && opt.expect == EXPECT_ACK) {
            const char *file = (const char *)pkt + OFF_FILE;
            if (strnlen(file, FILE_LEN) == FILE_LEN || strcmp(file, opt.boot_file) != 0) {
                note_wrong(W_FILE, xid);
                return 0;
            }
        }
    }
    s->state = SLOT_ANSWERED;
    valid++;
    if (!first_valid_ns) first_valid_ns = rx_ns;
    last_valid_ns = rx_ns;
    record_latency(rx_ns > s->sent_ns ? rx_ns - s->sent_ns : 0);
    return 1;
}

/* Sends `n` new requests (n <= BATCH); returns how many went out. */
static unsigned send_requests(unsigned n) {
    static uint8_t bufs[BATCH][MAX_PACKET];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    if (n > BATCH) n = BATCH;
    if (n == 0) return 0;
    memset(msgs, 0, sizeof msgs);
    for (unsigned i = 0; i < n; i++) {
        build_request(next_seq + i, bufs[i]);
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = template_len;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &opt.server;
        msgs[i].msg_hdr.msg_namelen = sizeof opt.server;
    }
    uint64_t t = now_ns();
    int r = sendmmsg(sock, msgs, n, 0);
    if (r < 0) {
        if (errno == EAGAIN || errno == ENOBUFS || errno == ECONNREFUSED) return 0;
        die("Cannot send requests: %s", strerror(errno));
    }
    for (int i = 0; i < r; i++) {
        uint64_t seq = next_seq + (uint64_t)i;
        struct slot *s = &slots[seq & SLOT_MASK];
        if (s->state == SLOT_OUTSTANDING) timed_out++; /* reused before any answer came */
        s->sent_ns = t;
        s->xid = xid_base + (uint32_t)seq;
        s->state = SLOT_OUTSTANDING;
    }
    next_seq += (uint64_t)r;
    sent += (uint64_t)r;
    return (unsigned)r;
}

/* Drains the socket without blocking; returns how many correct replies came in. */
static unsigned receive_replies(void) {
    static uint8_t bufs[BATCH][MAX_PACKET];
    static char ctrl[BATCH][64];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    unsigned good = 0;
    for (;;) {
        memset(msgs, 0, sizeof msgs);
        for (unsigned i = 0; i < BATCH; i++) {
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = MAX_PACKET;
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_control = ctrl[i];
            msgs[i].msg_hdr.msg_controllen = sizeof ctrl[i];
        }
        int r = recvmmsg(sock, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED) return good;
            if (errno == EINTR) continue;
            die("Cannot receive replies: %s", strerror(errno));
        }
        uint64_t fallback = now_ns();
        for (int i = 0; i < r; i++) {
            uint64_t rx = fallback;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c;
                 c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                    struct timespec ts;
                    memcpy(&ts, CMSG_DATA(c), sizeof ts);
                    rx = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
                }
            }
            good += (unsigned)check_reply(bufs[i], msgs[i].msg_len, rx);
        }
        if (r < BATCH) return good;
    }
}

static void wait_readable(uint64_t until_ns) {
    uint64_t now = now_ns();
    if (until_ns <= now) return;
    uint64_t wait = until_ns - now;
    struct timespec ts = {(time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull)};
    struct pollfd p = {sock, POLLIN, 0};
    ppoll(&p, 1, &ts, NULL);
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile_us(double p) {
    if (!latencies_len) return -1;
    size_t i = (size_t)(p * (double)(latencies_len - 1) + 0.5);
    return latencies_ns[i] / 1000.0;
}

static void print_result(const char *mode, uint64_t start_ns, uint64_t send_end_ns) {
    double span = (double)(send_end_ns - start_ns) / 1e9;
    qsort(latencies_ns, latencies_len, sizeof *latencies_ns, cmp_u32);
    uint64_t lost = sent > valid ? sent - valid : 0;
    printf("{\"mode\":\"%s\",\"sent\":%llu,\"valid\":%llu,\"wrong\":%llu,\"late\":%llu,"
           "\"lost\":%llu,\"timed_out\":%llu,\"loss_pct\":%.4f,\"send_span_s\":%.6f,\"send_rate\":%.1f,"
           "\"replies_per_s\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,"
           "\"max_us\":%.1f,\"first_valid_unix_ns\":%llu,\"last_valid_ms\":%.3f,\"wrong_by\":{",
           mode, (unsigned long long)sent, (unsigned long long)valid,
           (unsigned long long)wrong, (unsigned long long)late, (unsigned long long)lost, (unsigned long long)timed_out,
           sent ? 100.0 * (double)lost / (double)sent : 0.0, span,
           span > 0 ? (double)sent / span : 0.0, span > 0 ? (double)valid / span : 0.0,
           percentile_us(0.50), percentile_us(0.99), percentile_us(0.999),
           latencies_len ? latencies_ns[latencies_len - 1] / 1000.0 : -1.0,
           (unsigned long long)first_valid_ns,
           last_valid_ns ? (double)(last_valid_ns - start_ns) / 1e6 : -1.0);
    for (int i = 0; i < W_COUNT; i++)
        printf("%s\"%s\":%llu", i ? "," : "", wrong_names[i], (unsigned long long)wrong_by[i]);
    printf("}}\n");
    fflush(stdout);
}

/* K in flight: every correct reply (or timeout) releases one new request. */
static void run_closed(void) {
    uint64_t start = now_ns();
    uint64_t end = start + (uint64_t)(opt.duration_s * 1e9);
    uint64_t timeout = (uint64_t)(opt.timeout_s * 1e9);
    uint64_t oldest = 0; /* every seq below this is resolved */
    unsigned owed = opt.inflight;
    for (;;) {
        uint64_t now = now_ns();
        if (now >= end) break;
        while (owed) {
            unsigned n = send_requests(owed);
            if (!n) break;
            owed -= n;
        }
        wait_readable(now + 1000000 < end ? now + 1000000 : end);
        owed += receive_replies();
        now = now_ns();
        while (oldest < next_seq) {
            struct slot *s = &slots[oldest & SLOT_MASK];
            if (s->state == SLOT_OUTSTANDING && s->xid == xid_base + (uint32_t)oldest) {
                if (now - s->sent_ns < timeout) break;
                s->state = SLOT_TIMED_OUT;
                timed_out++;
                owed++;
            }
            oldest++;
        }
    }
    /* Replies after the window are not read, so replies/s counts only the window. */
    print_result("closed", start, end);
}

/* Fixed rate; each request is sent when due, in batches when the loop fell behind. */
static void run_open(void) {
    uint64_t total = (uint64_t)(opt.rate * opt.duration_s + 0.5);
    double interval = 1e9 / opt.rate;
    uint64_t start = now_ns();
    uint64_t send_end = start;
    while (sent < total) {
        uint64_t now = now_ns();
        uint64_t due = (uint64_t)((double)(now - start) / interval) + 1;
        if (due > total) due = total;
        while (sent < due) {
            unsigned n = send_requests((unsigned)(due - sent > BATCH ? BATCH : due - sent));
            if (!n) break;
        }
        send_end = now_ns();
        receive_replies();
        if (sent < total) wait_readable(start + (uint64_t)((double)sent * interval));
    }
    uint64_t drain_end = now_ns() + (uint64_t)(opt.window_s * 1e9);
    while (valid < sent && now_ns() < drain_end) {
        wait_readable(drain_end);
        receive_replies();
    }
    print_result("open", start, send_end);
}

/* N requests from N machines at once, then count what answers within the window. */
static void run_burst(void) {
    uint64_t start = now_ns();
    while (sent < opt.count) {
        unsigned left = opt.count - (unsigned)sent;
        if (!send_requests(left > BATCH ? BATCH : left)) receive_replies();
    }
    uint64_t send_end = now_ns();
    uint64_t window_end = start + (uint64_t)(opt.window_s * 1e9);
    while (valid < sent && now_ns() < window_end) {
        receive_replies();
        wait_readable(window_end);
    }
    receive_replies();
    print_result("burst", start, send_end);
}

/* One request per interval until a correct reply: measures the responder's start-up. */
static void run_probe(void) {
    printf("{\"event\":\"ready\"}\n");
    fflush(stdout);
    uint64_t start = now_ns();
    uint64_t end = start + (uint64_t)(opt.timeout_s * 1e9);
    uint64_t interval = (uint64_t)opt.probe_interval_us * 1000ull;
    uint64_t next = start;
    while (!valid && now_ns() < end) {
        if (now_ns() >= next) {
            send_requests(1);
            next += interval;
        }
        wait_readable(next < end ? next : end);
        receive_replies();
    }
    print_result("probe", start, now_ns());
}

static void usage(void) {
    fprintf(stderr,
            "usage: loadgen --mode closed|open|burst|probe --template FILE --server IP:PORT\n"
            "               --expect offer|ack|echo [--bind IP:PORT] [--boot-file NAME]\n"
            "               [--duration S] [--inflight K] [--rate R] [--count N]\n"
            "               [--window S] [--timeout S] [--probe-interval-us US] [--seed N]\n");
    exit(2);
}

int main(int argc, char **argv) {
    static struct option long_opts[] = {
        {"mode", 1, 0, 'm'},     {"template", 1, 0, 't'}, {"server", 1, 0, 's'},
        {"bind", 1, 0, 'b'},     {"expect", 1, 0, 'e'},   {"boot-file", 1, 0, 'f'},
        {"duration", 1, 0, 'd'}, {"inflight", 1, 0, 'k'}, {"rate", 1, 0, 'r'},
        {"count", 1, 0, 'n'},    {"window", 1, 0, 'w'},   {"timeout", 1, 0, 'o'},
        {"probe-interval-us", 1, 0, 'i'},                 {"seed", 1, 0, 'S'},
        {0, 0, 0, 0}};
    opt.duration_s = 5;
    opt.inflight = 32;
    opt.rate = 2000;
    opt.count = 5000;
    opt.window_s = 1;
    opt.timeout_s = 0.5;
    opt.probe_interval_us = 1000;
    opt.seed = (uint32_t)getpid();
    parse_addr("127.0.0.1:0", &opt.bind);
    const char *mode = NULL, *expect = NULL, *server = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
        switch (c) {
        case 'm': mode = optarg; break;
        case 't': opt.template_path = optarg; break;
        case 's': server = optarg; break;
        case 'b': parse_addr(optarg, &opt.bind); break;
        case 'e': expect = optarg; break;
        case 'f': opt.boot_file = optarg; break;
        case 'd': opt.duration_s = atof(optarg); break;
        case 'k': opt.inflight = (unsigned)atoi(optarg); break;
        case 'r': opt.rate = atof(optarg); break;
        case 'n': opt.count = (unsigned)atoi(optarg); break;
        case 'w': opt.window_s = atof(optarg); break;
        case 'o': opt.timeout_s = atof(optarg); break;
        case 'i': opt.probe_interval_us = (unsigned)atoi(optarg); break;
        case 'S': opt.seed = (uint32_t)strtoul(optarg, NULL, 0); break;
        default: usage();
        }
    }
    if (!mode || !expect || !server || !opt.template_path) usage();
    if (!strcmp(mode, "closed")) opt.mode = MODE_CLOSED;
    else if (!strcmp(mode, "open")) opt.mode = MODE_OPEN;
    else if (!strcmp(mode, "burst")) opt.mode = MODE_BURST;
    else if (!strcmp(mode, "probe")) opt.mode = MODE_PROBE;
    else usage();
    if (!strcmp(expect, "offer")) opt.expect = EXPECT_OFFER;
    else if (!strcmp(expect, "ack")) opt.expect = EXPECT_ACK;
    else if (!strcmp(expect, "echo")) opt.expect = EXPECT_ECHO;
    else usage();
    if (opt.rate <= 0 || opt.inflight == 0 || opt.inflight > SLOTS / 2 || opt.count > SLOTS)
        die("Cannot run: rate, inflight or count out of range");
    parse_addr(server, &opt.server);
    load_template();

    slots = calloc(SLOTS, sizeof *slots);
    if (!slots) die("Cannot allocate request table");
    srand(opt.seed);
    xid_base = ((uint32_t)rand() << 16) ^ (uint32_t)rand();

    sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) die("Cannot open socket: %s", strerror(errno));
    int one = 1, big = 32 << 20;
    /* Proxy OFFERs are broadcast to 255.255.255.255:<client port> (protocol.md §6); DISCOVERs
     * may be sent to the broadcast address like real firmware does. */
    setsockopt(sock, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    setsockopt(sock, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    /* Our own queue must never be where replies are lost (root may exceed rmem_max). */
    if (setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) < 0)
        setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (setsockopt(sock, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) < 0)
        setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    if (bind(sock, (struct sockaddr *)&opt.bind, sizeof opt.bind) < 0)
        die("Cannot bind %s:%d: %s", inet_ntoa(opt.bind.sin_addr), ntohs(opt.bind.sin_port),
            strerror(errno));

    switch (opt.mode) {
    case MODE_CLOSED: run_closed(); break;
    case MODE_OPEN: run_open(); break;
    case MODE_BURST: run_burst(); break;
    case MODE_PROBE: run_probe(); break;
    }
    close(sock);
    return 0;
}
