/**
 * The sandbox's seccomp filter (classic BPF, as bwrap's `--seccomp` takes it): no command can
 * make a setuid or setgid file, by chmod or by creating one with such a mode. The sandbox's
 * mounts are nosuid, but the working directory is an ordinary directory of the host, where a
 * root command's `chmod 4755 ./sh` would hand root to every local user until the after-call
 * sweep (setid-sweep.ts) clears it; with this filter there is no such window.
 *
 * The filter also refuses what would get around it: openat2 (its mode sits in a struct a
 * filter cannot read; libc falls back to openat), io_uring (whose requests no filter sees),
 * and syscalls of another ABI (i386 or x32 on x86_64, arm32 on arm64), whose numbers differ.
 */
import * as os from 'node:os';

/** Mode bits no command may set. */
const SETID = 0o6000;
const EPERM = 1;
const ENOSYS = 38;

// linux/filter.h, linux/seccomp.h, linux/audit.h
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;
/** Offsets in struct seccomp_data: nr, arch, then args[6] as 64-bit words (low half first). */
const NR = 0;
const ARCH = 4;
const arg = (i: number) => 16 + 8 * i;

interface Abi {
  audit: number;
  /** Syscall numbers at or above this belong to another ABI on the same arch (x32). */
  foreignFrom?: number;
  /** Syscalls whose mode argument is checked: number → index of the mode argument. */
  modes: Record<number, number>;
  /** Syscalls refused outright with ENOSYS. */
  refused: number[];
}

/** Per architecture (asm/unistd.h). openat2 437, io_uring_setup 425 and fchmodat2 452 are shared. */
const ABIS: Partial<Record<string, Abi>> = {
  x64: {
    audit: 0xc000003e,
    foreignFrom: 0x40000000,
    // open, creat, chmod, fchmod, mknod, openat, mknodat, fchmodat, fchmodat2
    modes: { 2: 2, 85: 1, 90: 1, 91: 1, 133: 1, 257: 3, 259: 2, 268: 2, 452: 2 },
    refused: [437, 425],
  },
  arm64: {
    audit: 0xc00000b7,
    // mknodat, fchmod, fchmodat, openat, fchmodat2
    modes: { 33: 2, 52: 1, 53: 2, 56: 3, 452: 2 },
    refused: [437, 425],
  },
};

type Target = 'allow' | 'eperm' | 'enosys';
/** One instruction; a jump names an exit, or a count of instructions to skip (0 falls through). */
type Insn = { code: number; k: number; jt?: Target | number; jf?: Target | number };

/** The filter for this machine's architecture, or undefined where none is known (the sweep still runs). */
export function setidFilter(arch: string = os.arch()): Buffer | undefined {
  const abi = ABIS[arch];
  if (!abi) return undefined;
  const program: Insn[] = [
    { code: LD_W_ABS, k: ARCH },
    { code: JEQ_K, k: abi.audit, jf: 'enosys' },
    { code: LD_W_ABS, k: NR },
    ...(abi.foreignFrom ? [{ code: JGE_K, k: abi.foreignFrom, jt: 'enosys' as const }] : []),
    ...abi.refused.map((nr): Insn => ({ code: JEQ_K, k: nr, jt: 'enosys' })),
    // Each checked syscall: not it, skip to the next; else load its mode and test the bits.
    ...Object.entries(abi.modes).flatMap(([nr, index]): Insn[] => [
      { code: JEQ_K, k: Number(nr), jf: 2 },
      { code: LD_W_ABS, k: arg(index) },
      { code: JSET_K, k: SETID, jt: 'eperm', jf: 'allow' },
    ]),
  ];
  const exits: Record<Target, number> = {
    allow: program.length,
    eperm: program.length + 1,
    enosys: program.length + 2,
  };
  const out = Buffer.alloc((program.length + 3) * 8);
  const offset = (from: number, to: Target | number = 0) =>
    typeof to === 'number' ? to : exits[to] - from - 1;
  program.forEach((insn, i) => {
    const [jt, jf] = [offset(i, insn.jt), offset(i, insn.jf)];
    if (jt > 255 || jf > 255) throw new Error('seccomp filter too long for its jumps');
    write(out, i, insn.code, jt, jf, insn.k);
  });
  write(out, exits.allow, RET_K, 0, 0, RET_ALLOW);
  write(out, exits.eperm, RET_K, 0, 0, RET_ERRNO | EPERM);
  write(out, exits.enosys, RET_K, 0, 0, RET_ERRNO | ENOSYS);
  return out;
}

/** struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }, in the machine's byte order (little endian). */
function write(out: Buffer, i: number, code: number, jt: number, jf: number, k: number): void {
  out.writeUInt16LE(code, i * 8);
  out.writeUInt8(jt, i * 8 + 2);
  out.writeUInt8(jf, i * 8 + 3);
  out.writeUInt32LE(k >>> 0, i * 8 + 4);
}
