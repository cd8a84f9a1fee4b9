#!/usr/bin/perl
# make-mmdb.pl — writes a small MaxMind DB (MMDB, spec: maxmind.github.io/MaxMind-DB)
# with MaxMind's reference writer (Debian libmaxmind-db-writer-perl), for the
# attribution tests: mpcap's lookups are checked against mmdblookup on the same file.
#
#   make-mmdb.pl [-4|-6] [-t DATABASE_TYPE] [--no-alias] OUT.mmdb < SPEC
#
# SPEC: one network per line, "NETWORK/LEN KEY=VALUE...", '#' comments and
# blank lines ignored.  KEY is a dotted path (country.iso_code=US makes
# {country => {iso_code => "US"}}); keys ending in _number are uint32, the
# others UTF-8 strings.  -6 (default) writes an IPv6 tree in which IPv4
# networks sit at ::a.b.c.d/96+len, with MaxMind's IPv4 aliases
# (::ffff:0:0/96, 2001::/32, 2002::/16) unless --no-alias; -4 an IPv4 tree.
# Reserved networks (TEST-NET, 2001:db8::/32) are kept: the tests use them.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($version, $type, $alias) = (6, 'mpcap-test', 1);
while (@ARGV && $ARGV[0] =~ /^-/) {
	my $o = shift @ARGV;
	if ($o eq '-4') { $version = 4; }
	elsif ($o eq '-6') { $version = 6; }
	elsif ($o eq '-t') { $type = shift @ARGV; }
	elsif ($o eq '--no-alias') { $alias = 0; }
	else { die "make-mmdb.pl: unknown option $o\n"; }
}
my $out = shift @ARGV or die "usage: make-mmdb.pl [-4|-6] [-t TYPE] [--no-alias] OUT.mmdb < SPEC\n";

my %types;
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version               => $version,
	record_size              => 24,
	database_type            => $type,
	languages                => ['en'],
	description              => { en => 'mpcap attribution test database' },
	map_key_type_callback    => sub { $types{ $_[0] } // 'map' },
	alias_ipv6_to_ipv4       => ($version == 6 && $alias) ? 1 : 0,
	remove_reserved_networks => 0,
);
while (my $line = <STDIN>) {
	chomp $line;
	$line =~ s/#.*//;
	next if $line =~ /^\s*$/;
	my ($net, @kv) = split ' ', $line;
	die "make-mmdb.pl: line $.: no data for $net\n" unless @kv;
	my %rec;
	for my $kv (@kv) {
		my ($path, $value) = split /=/, $kv, 2;
		die "make-mmdb.pl: line $.: expected KEY=VALUE, got '$kv'\n" unless defined $value;
		my @keys = split /\./, $path;
		my $leaf = pop @keys;
		my $h = \%rec;
		for my $k (@keys) { $types{$k} = 'map'; $h = ($h->{$k} //= {}); }
		$types{$leaf} = $leaf =~ /_number$/ ? 'uint32' : 'utf8_string';
		$h->{$leaf} = $leaf =~ /_number$/ ? 0 + $value : $value;
	}
	$tree->insert_network($net, \%rec);
}
open my $fh, '>:raw', $out or die "make-mmdb.pl: $out: $!\n";
$tree->write_tree($fh);
close $fh or die "make-mmdb.pl: $out: $!\n";
