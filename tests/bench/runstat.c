/* runstat.c — runs a command and reports its wall time, CPU time and peak
 * resident memory (wait4(2) rusage), for `make bench`.
 *
 *   runstat OUTFILE COMMAND [ARGS...]
 *
 * Appends "WALL_S USER_S SYS_S MAXRSS_KIB EXIT" to OUTFILE; the command's own
 * stdout and stderr pass through. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: runstat OUTFILE COMMAND [ARGS...]\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("runstat: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("runstat: exec");
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("runstat: wait4");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	double user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	double sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	FILE *fp = fopen(argv[1], "a");
	if (!fp) {
		perror(argv[1]);
		return 1;
	}
	fprintf(fp, "%.4f %.4f %.4f %ld %d\n", wall, user, sys, ru.ru_maxrss, code);
	fclose(fp);
	return code;
}
