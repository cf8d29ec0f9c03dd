#!/usr/bin/env python3
"""Writes the fuzz seed corpus: real memcached command streams, and the replies
memcached 1.6 sends to them (recorded from a live `memcached`, if installed).

  tests/fuzz/make_corpus.py            # rewrites tests/fuzz/corpus/*

Seeds stay small (< 4 KiB each) so the fuzzer mutates them quickly.
"""
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

REQUESTS = {
    "classic_storage": b"set a 0 0 1\r\nx\r\nadd b 5 0 3\r\nabc\r\nreplace a 1 0 2\r\nyz\r\n"
                       b"append a 0 0 1\r\n!\r\nprepend a 0 0 1\r\n<\r\nget a b\r\n",
    "cas_flow": b"set k 0 0 2\r\nv1\r\ngets k\r\ncas k 0 0 2 1\r\nv2\r\ncas k 0 0 2 999\r\nv3\r\n"
                b"gets k\r\ncas nokey 0 0 1 1\r\nz\r\n",
    "noreply": b"set a 0 0 1 noreply\r\n1\r\nadd a 0 0 1 noreply\r\n2\r\nincr a 5 noreply\r\n"
               b"delete a noreply\r\nflush_all noreply\r\nverbosity 1 noreply\r\nget a\r\n",
    "arith": b"set n 0 0 2\r\n10\r\nincr n 5\r\ndecr n 100\r\nincr n 18446744073709551615\r\n"
             b"incr missing 1\r\nset s 0 0 3\r\nabc\r\nincr s 1\r\nincr n -1\r\ndecr n abc\r\n",
    "touch_gat": b"set t 0 100 1\r\nt\r\ntouch t 10\r\ngat 0 t\r\ngats 50 t nokey\r\ntouch nokey 1\r\n"
                 b"set neg 0 -1 1\r\nn\r\nget neg\r\n",
    "delete": b"set d 0 0 1\r\nd\r\ndelete d\r\ndelete d\r\ndelete d 0\r\ndelete d 5\r\n"
               b"delete d noreply extra\r\n",
    "multiget": b"set k1 0 0 1\r\n1\r\nset k2 0 0 1\r\n2\r\nget k1 k2 k3 k1\r\ngets k2 k1\r\n"
                b"get " + b"k" * 250 + b"\r\nget " + b"k" * 251 + b"\r\n",
    "bad_headers": b"set a 0 0\r\nset a 0 0 -1\r\nset a 0 0 4294967296\r\nx\r\nset a abc 0 1\r\nx\r\n"
                   b"set a 0 0 1 2 3 4\r\nget\r\nbogus\r\n\r\nGET a\r\n",
    "bad_chunk": b"set a 0 0 3\r\nabcdef\r\nget a\r\nset b 0 0 2\r\nab\n\nget b\r\n",
    "too_large": b"set big 0 0 2000000\r\n" + b"x" * 1000 + b"\r\nget big\r\n",
    "bare_lf": b"set a 0 0 1\nx\r\nget a\nversion\n",
    "flush": b"set a 0 0 1\r\nx\r\nflush_all\r\nget a\r\nflush_all 10\r\nflush_all -1\r\nflush_all x\r\n",
    "admin": b"version\r\nverbosity 1\r\nverbosity\r\nstats\r\nstats settings\r\nstats items\r\n"
              b"stats slabs\r\nstats detail on\r\nstats detail dump\r\nstats reset\r\ncache_memlimit 100\r\n"
              b"slabs reassign 1 2\r\nlru_crawler metadump all\r\nshutdown\r\nquit\r\n",
    "meta_get": b"ms mk 2 T0 F5\r\nhi\r\nmg mk v f t s k c\r\nmg mk q\r\nmg missing\r\nmg missing q\r\nmn\r\n"
                b"mg mk O123 k v\r\nmg bWs= b v\r\nmg mk N30 v\r\nmg mk E5 v\r\n",
    "meta_set": b"ms m1 3 MS\r\nabc\r\nms m1 1 MA\r\nd\r\nms m1 1 MP\r\nz\r\nms m1 2 MR\r\nxy\r\n"
                b"ms m2 1 ME\r\nq\r\nms m1 1 C1\r\nx\r\nms m1 1 I\r\ny\r\nms m1 S2\r\nxx\r\nms m1 x\r\n",
    "meta_delete_arith": b"ms c 1\r\n5\r\nma c\r\nma c MD D2\r\nma c v\r\nma nokey N0 J7 v\r\nmd c\r\n"
                         b"md c q\r\nmd c I T30\r\nme c\r\nmn\r\n",
    "meta_base64": b"ms Zm9v 3 b\r\nbar\r\nmg Zm9v b v k\r\nmd Zm9v b\r\nmg !!! b v\r\n",
    "pipeline": b"".join(b"set p%d 0 0 2\r\nv%d\r\n" % (i, i % 10) for i in range(20))
                + b"get " + b" ".join(b"p%d" % i for i in range(20)) + b"\r\n",
    "binary_magic": b"\x80\x01\x00\x03\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00"
                    b"\x00\x00\x00\x00\x00\x00\x00\x00foo",
    "garbage": bytes(range(256)),
    "http": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "spaces": b"   get    a   \r\nset  a  0  0  1 \r\nx\r\n" + b" " * 120 + b"get a\r\n",
    "long_line": b"set " + b"a" * 2100 + b" 0 0 1\r\nx\r\n",
    "nul_bytes": b"get a\x00b\r\nset a\x00 0 0 1\r\nx\r\n",
}

LINES = {
    "crlf": b"hello\r\nworld\r\n\r\n",
    "lf": b"one\ntwo\n\nthree\n",
    "mixed": b"a\r\nb\nc\r\r\nd",
    "long": b"x" * 70 + b"\r\n" + b"y" * 64 + b"\r\n" + b"z" * 65 + b"\n",
}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def record_replies(requests):
    """Sends each stream to a fresh memcached and returns what it answered."""
    replies = {}
    for name, data in requests.items():
        port = free_port()
        argv = ["memcached", "-p", str(port), "-l", "127.0.0.1", "-U", "0"]
        if os.geteuid() == 0:
            argv += ["-u", "root"]  # memcached refuses root without -u
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    conn = socket.create_connection(("127.0.0.1", port), timeout=2)
                    break
                except OSError:
                    time.sleep(0.05)
            else:
                continue
            conn.sendall(data)
            conn.settimeout(0.5)
            got = b""
            try:
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    got += chunk
            except socket.timeout:
                pass
            conn.close()
            if got:
                replies[name] = got[:4096]
        finally:
            proc.kill()
            proc.wait()
    return replies


def write(target, files):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data[:4096])


def main():
    write("text_codec_fuzzer", REQUESTS)
    write("line_codec_fuzzer", dict(LINES, **{k: REQUESTS[k] for k in ("classic_storage", "http")}))
    replies = record_replies({k: v for k, v in REQUESTS.items() if k not in ("admin",)})
    # The admin stream ends in shutdown/quit; record the stats replies alone.
    replies.update(record_replies({
        "stats": b"stats\r\n", "stats_settings": b"stats settings\r\n",
        "stats_items": b"set a 0 0 1\r\nx\r\nstats items\r\nstats slabs\r\n",
        "metadump": b"set a 0 0 1\r\nx\r\nlru_crawler metadump all\r\n",
    }))
    write("reply_codec_fuzzer", replies)
    print("seeds:", len(REQUESTS), "requests,", len(replies), "replies,", len(LINES) + 2, "lines")


if __name__ == "__main__":
    sys.exit(main())
