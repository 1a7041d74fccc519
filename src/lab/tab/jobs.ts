/**
 * Job control for the in-tab shell. just-bash parses `cmd &` but runs it to the end, so the shell
 * starts a line that ends in `&` itself, as a job: `jobs` lists them, `kill %N` (or its pid) and
 * `pkill -f PATTERN` stop them, and the prompt reports when one ends, as bash does.
 */
import { defineCommand, type CustomCommand } from 'just-bash';

export interface Job {
  id: number;
  pid: number;
  command: string;
  controller: AbortController;
  state: 'running' | 'done';
  exitCode: number | null;
  killed: boolean;
}

const FIRST_PID = 1000;

export class JobTable {
  private jobs = new Map<number, Job>();
  private nextPid = FIRST_PID;

  start(command: string): Job {
    let id = 1;
    while (this.jobs.has(id)) id++;
    const job: Job = { id, pid: this.nextPid++, command, controller: new AbortController(), state: 'running', exitCode: null, killed: false };
    this.jobs.set(id, job);
    return job;
  }

  /** Marks a job ended; it is listed once more (by the prompt's notice) and then forgotten. */
  finish(job: Job, exitCode: number): string {
    job.state = 'done';
    job.exitCode = exitCode;
    this.jobs.delete(job.id);
    const status = job.killed ? 'Terminated' : exitCode === 0 ? 'Done' : `Exit ${exitCode}`;
    return `[${job.id}]+  ${status.padEnd(24)}${job.command}`;
  }

  running(): Job[] {
    return [...this.jobs.values()].filter((j) => j.state === 'running');
  }

  /** `%N`, `%+`, `%%` or a pid. */
  find(spec: string): Job | undefined {
    const list = this.running();
    if (spec === '%%' || spec === '%+' || spec === '%') return list.at(-1);
    if (spec.startsWith('%')) return this.jobs.get(Number(spec.slice(1)));
    return list.find((j) => String(j.pid) === spec);
  }

  kill(job: Job): void {
    job.killed = true;
    job.controller.abort();
  }

  killAll(): void {
    for (const j of this.running()) this.kill(j);
  }

  /** `jobs`, `kill` and `pkill`, as shell commands over this table. */
  commands(): CustomCommand[] {
    const ok = (stdout: string) => ({ stdout, stderr: '', exitCode: 0 });
    return [
      defineCommand('jobs', async (args) => {
        const long = args.includes('-l');
        return ok(this.running().map((j, i, all) => `[${j.id}]${i === all.length - 1 ? '+' : '-'}  ${long ? `${j.pid} ` : ''}${'Running'.padEnd(24)}${j.command} &\n`).join(''));
      }),
      defineCommand('kill', async (args) => {
        const targets = args.filter((a) => !/^-(\d+|[A-Z]+|s)$/.test(a) && a !== 'TERM' && a !== 'KILL' && a !== 'INT');
        if (args[0] === '-l') return ok('HUP INT QUIT KILL TERM\n');
        if (!targets.length) return { stdout: '', stderr: 'kill: usage: kill [-s sigspec | -signum] pid | jobspec ...\n', exitCode: 2 };
        let stderr = '';
        for (const t of targets) {
          const job = this.find(t);
          if (job) this.kill(job);
          else stderr += `kill: ${t}: ${t.startsWith('%') ? 'no such job' : 'no such process'}\n`;
        }
        return { stdout: '', stderr, exitCode: stderr ? 1 : 0 };
      }),
      defineCommand('pkill', async (args) => {
        const pattern = args.filter((a) => !a.startsWith('-')).at(-1);
        if (!pattern) return { stdout: '', stderr: 'pkill: no matching criteria specified\n', exitCode: 2 };
        let re: RegExp;
        try {
          re = new RegExp(pattern);
        } catch {
          return { stdout: '', stderr: `pkill: invalid pattern ${pattern}\n`, exitCode: 2 };
        }
        const hits = this.running().filter((j) => re.test(j.command));
        for (const j of hits) this.kill(j);
        return { stdout: '', stderr: '', exitCode: hits.length ? 0 : 1 };
      }),
    ];
  }
}
