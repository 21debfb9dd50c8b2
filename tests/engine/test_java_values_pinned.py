"""Java values a template can reach, pinned to what the real Apache Velocity 2.4.1 on JDK 17
answers: the boxed numbers' conversions and statics (``byteValue()`` wrapping, radix
strings, ``signum``, ``bitCount``, overflowing ``sum``, unsigned and bit statics),
``BigInteger``/``BigDecimal`` methods, ``Double`` corner values (NaN, infinities, -0.0),
``Boolean`` statics, map and list methods and properties, ranges, and the type each result
has (``$i.longValue()`` is a ``Long``; ``$huge.subtract($huge)`` a ``BigInteger`` 0).

Issue 19 found these behaviours unpinned (a deliberately broken method table passed CI). The
answers are recorded once from a live Velocity into ``velocity_java_values_expected.json``,
so CI checks them without a JDK; re-record after changing :data:`CASES`::

    .venv/bin/python tests/engine/test_java_values_pinned.py

Output must match byte for byte; an error must carry the root exception's class and message
(as :mod:`test_java_forms_velocity` compares them). Beside them, the behaviours Java does not
decide: the range-size limit, and ``$data`` as Reteno's contact-field map (case-insensitive
contact names, otherwise a ``LinkedHashMap``).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from templating import Engine
from templating.context import FieldMap
from templating.errors import LimitExceeded, RenderError, TemplateError
from test_java_forms_velocity import _velocity_error

RECORDED = Path(__file__).with_name("velocity_java_values_expected.json")

#: The context of every case: each JSON number lands in the Java type Jackson gives it.
DATA = {
    "i": 300, "neg": -300, "max": 2147483647, "min": -2147483648, "long": 4294967596,
    "lmax": 9223372036854775807, "lmin": -9223372036854775808,
    "huge": 123456789012345678901234567890, "nhuge": -123456789012345678901234567890,
    "d": 300.7, "nd": -1.5, "bigd": 1e20, "t": True, "f": False, "s": "abc", "sn": "12.50",
    "m": {"a": 1, "b": "x"}, "em": {}, "l": [3, 1, 2, 1], "el": [],
    # keys named like the map's own methods: which wins, the method or get(key)?
    "mk": {"values": "V", "size": "S", "empty": "E", "isEmpty": "I", "keySet": "K",
           "class": "C", "Class": "CC"},
    "data": {"firstName": "Ann", "values": "V", "size": 3, "empty": "", "cart": {"n": 2},
             "EVENT.total": 10.5},
}

CASES = [
    # ---- Number.xxxValue(): narrowing wraps (byte/short/int keep the low bits), a double
    # saturates at the int/long bounds first, NaN is 0
    "$i.byteValue() $i.shortValue() $neg.byteValue() $neg.shortValue()",
    "$max.byteValue() $max.shortValue() $min.byteValue() $min.shortValue()",
    "$long.byteValue() $long.shortValue() $long.intValue()",
    "$lmax.byteValue() $lmax.shortValue() $lmax.intValue() $lmin.intValue()",
    "$huge.byteValue() $huge.shortValue() $huge.intValue() $huge.longValue()",
    "$nhuge.byteValue() $nhuge.intValue() $nhuge.longValue()",
    "$d.byteValue() $d.shortValue() $d.intValue() $d.longValue()",
    "$nd.byteValue() $nd.intValue() $nd.longValue()",
    "$bigd.byteValue() $bigd.shortValue() $bigd.intValue() $bigd.longValue()",
    "#set($x = 40000)$x.shortValue() #set($x = 32768)$x.shortValue() #set($x = 128)$x.byteValue() "
    "#set($x = 127)$x.byteValue() #set($x = -129)$x.byteValue()",
    "#set($x = $sn * 2)$x.byteValue() $x.intValue() $x.doubleValue() $x.longValue()",
    "#set($x = $sn * 123456789)$x.shortValue() $x.byteValue() $x.floatValue()",
    "$i.floatValue() $max.floatValue() $long.floatValue() $huge.floatValue() $huge.doubleValue() "
    "$lmax.doubleValue()",
    # ... and the type of what they return
    "$i.longValue().class.simpleName $d.longValue().class.simpleName "
    "$huge.longValue().class.simpleName $i.intValue().class.simpleName "
    "$long.intValue().class.simpleName",
    "#set($x = $i.longValue())$x.class.simpleName $x.equals(300) $x.toBinaryString(-1)",
    "#set($x = $long.longValue())$x.class.simpleName",
    "$i.floatValue().class.simpleName $i.doubleValue().class.simpleName",
    "$i.byteValue().class.simpleName $i.shortValue().class.simpleName",
    # ---- radix and unsigned strings
    "$i.toString(300, 2) $i.toString(-300, 2) $i.toString(255, 16) $i.toString(255, 36) "
    "$i.toString(255, 37) $i.toString(255, 1)",
    "$i.toString($max, 2) $i.toString($min, 2) $i.toString($min, 16) $i.toString(5, 2)",
    "$i.toBinaryString(300) $i.toBinaryString(-300) $i.toBinaryString(0) $i.toBinaryString($min)",
    "$i.toOctalString(8) $i.toOctalString(-8) $i.toOctalString(0) $i.toOctalString($max)",
    "$i.toHexString(255) $i.toHexString(-255) $i.toHexString($min)",
    "$long.toBinaryString(-1) $long.toOctalString(-1) $long.toHexString(-1)",
    "$long.toOctalString($lmin) $long.toBinaryString($lmin) $long.toHexString($lmax)",
    "$long.toString(-300, 2) $long.toString($lmin, 36) $long.toString($lmax, 16)",
    "$huge.toString(2) $huge.toString(16) $nhuge.toString(36) $huge.toString(40) $huge.toString(-5)",
    "$i.toUnsignedString(-1) $i.toUnsignedString(-1, 16) $i.toUnsignedLong(-1) "
    "$i.toUnsignedLong(-1).class.simpleName $long.toUnsignedString(-1)",
    "$i.toString(-0) $d.toString(-0.0) $i.toString().length() $neg.toString() $d.toString() "
    "$bigd.toString() $nd.toString()",
    # ---- signum, bitCount, sum, compare, min, max, hashCode
    "$i.signum(-5) $i.signum(0) $i.signum(5) $i.signum($min) $i.signum($long)",
    "$i.bitCount(-1) $i.bitCount(-5) $i.bitCount(0) $i.bitCount($min) $i.bitCount(300)",
    "$long.bitCount(-1) $long.bitCount(-5) $long.signum(-5)",
    "$i.sum($max, 1) $i.sum($min, -1) $i.sum(2, 3) $i.sum(-7, 3)",
    "$long.sum($lmax, 1) $long.sum($lmin, -1) $long.sum(1, 2)",
    "$max.sum($max, 1) $min.sum($min, -1)",
    "$i.compare(1, 2) $i.compare(2, 1) $i.compare(5, 5) $i.compare($min, $max)",
    "$i.max(3, -4) $i.min(3, -4) $long.max($lmin, 1) $long.min($lmax, 0)",
    "$long.sum(1, 2).class.simpleName $long.max(1, 2).class.simpleName "
    "$long.min(1, 2).class.simpleName $long.parseLong('12').class.simpleName "
    "$long.valueOf('12').class.simpleName $long.valueOf(12).class.simpleName",
    "$long.signum(5).class.simpleName $long.bitCount(5).class.simpleName "
    "$long.compare(1, 2).class.simpleName $long.hashCode(5).class.simpleName",
    "$i.hashCode(-300) $long.hashCode($lmax) $long.hashCode(-1) $long.hashCode() "
    "$lmin.hashCode() $huge.hashCode() $nhuge.hashCode()",
    # ---- bit statics
    "$i.reverse(1) $i.highestOneBit(300) $i.lowestOneBit(300) $i.numberOfLeadingZeros(1) "
    "$i.numberOfTrailingZeros(8) $i.rotateLeft(1, 33) $i.reverseBytes(1)",
    "$i.highestOneBit(-1) $i.lowestOneBit($min) $i.numberOfLeadingZeros(0) "
    "$i.numberOfTrailingZeros(0) $i.rotateRight(1, 1) $i.rotateLeft(-2, -1) $i.reverse(-2) "
    "$i.reverseBytes(-256)",
    "$long.numberOfLeadingZeros(1) $long.reverse(1) $long.highestOneBit(-1) "
    "$long.lowestOneBit(12) $long.numberOfTrailingZeros(0) $long.rotateLeft(1, 65) "
    "$long.reverseBytes(1) $long.rotateRight(1, 1)",
    "$i.compareUnsigned(-1, 1) $i.compareUnsigned(1, 2) $long.compareUnsigned(-1, 1) "
    "$i.divideUnsigned(-1, 2) $i.remainderUnsigned(-1, 3) $long.divideUnsigned(-1, 2) "
    "$long.remainderUnsigned(-1, 10)",
    "$i.divideUnsigned(1, 0)",
    # ---- parsing, valueOf, decode
    "$i.parseInt('+5') $i.parseInt('-0') $i.parseInt('ff', 16) $i.parseInt('FF', 16) "
    "$i.parseInt('-zz', 36) $i.parseInt('1010', 2)",
    "$i.parseInt('2147483648')", "$i.parseInt('-2147483648')", "$i.parseInt('')",
    "$i.parseInt(' 5')", "$i.parseInt('5', 37)", "$i.parseInt('5', 1)", "$i.parseInt('12', 2)",
    "$i.toUnsignedString(-1, 37) $i.toString(-5, 0)", "$i.parseUnsignedInt('5', 99)",
    "$i.valueOf('77') $i.valueOf('-77', 8) $i.valueOf(5)",
    "$long.parseLong('9223372036854775807') $long.parseLong('-8000000000000000', 16)",
    "$long.parseLong('9223372036854775808')", "$long.valueOf('12') $long.valueOf(12)",
    "$i.parseUnsignedInt('4294967295') $i.parseUnsignedInt('ffffffff', 16) "
    "$long.parseUnsignedLong('18446744073709551615') $i.parseUnsignedInt('+7')",
    "$i.parseUnsignedInt('4294967296')", "$i.parseUnsignedInt('-1')", "$i.parseUnsignedInt('-0')",
    "$i.parseUnsignedInt($null)", "$long.decode('0x8000000000000000')",
    "$long.parseUnsignedLong('18446744073709551616')", "$i.parseUnsignedInt('')",
    "$i.decode('0x1F') $i.decode('-#10') $i.decode('010') $i.decode('0') $i.decode('+0X7f') "
    "$i.decode('-2147483648') $long.decode('0x7fffffffffffffff') $long.decode('-0')",
    "$i.decode($null)", "$i.decode('')", "$i.decode('0x')", "$i.decode('-+5')", "$i.decode('0x-5')",
    "$i.decode('2147483648')", "$i.decode('09')", "$i.decode('1g')",
    # ---- Integer.MAX_VALUE is an Integer (Integer methods), one more is a Long
    "$max.class.simpleName $min.class.simpleName $long.class.simpleName $lmax.class.simpleName "
    "$lmin.class.simpleName $huge.class.simpleName",
    "$max.toBinaryString(-1) $min.toBinaryString(-1) $max.bitCount(-1) $lmax.bitCount(-1)",
    "#set($x = 2147483648)$x.class.simpleName $x.toBinaryString(-1)",
    "#set($x = -2147483649)$x.class.simpleName $x.toHexString(-1)",
    "#set($x = 9223372036854775808)$x.class.simpleName $x.negate()",
    "#set($x = -9223372036854775809)$x.class.simpleName $x.abs()",
    "#set($x = $max + 1)$x $x.class.simpleName #set($y = $min - 1)$y $y.class.simpleName",
    "#set($x = $lmax + 1)$x $x.class.simpleName #set($y = $lmin - 1)$y $y.class.simpleName",
    "#set($x = $max * $max)$x $x.class.simpleName",
    # ---- BigInteger: results stay BigInteger whatever their size
    "$huge.negate() $nhuge.negate() $huge.negate().class.simpleName",
    "$huge.multiply($huge) $huge.multiply($nhuge) $huge.multiply(0)",
    "$huge.remainder(7) $nhuge.remainder(7) $huge.mod(7) $nhuge.mod(7)",
    "$nhuge.remainder(-7) $nhuge.divide(7) $nhuge.divide(-7) $huge.divide($nhuge)",
    "$huge.mod(-7)", "$huge.divide(0)", "$huge.remainder(0)", "$huge.mod(0)", "$huge.pow(-1)",
    "$huge.pow(0) $huge.pow(1) $nhuge.pow(3)",
    "$huge.abs() $nhuge.abs() $huge.signum() $nhuge.signum() $huge.bitLength() $nhuge.bitLength()",
    "$huge.gcd(30) $nhuge.gcd(-45) $huge.min($nhuge) $huge.max($nhuge)",
    "$huge.add($nhuge) $huge.add($nhuge).class.simpleName $huge.subtract($huge)",
    "$huge.negate().negate().class.simpleName $huge.subtract($huge).class.simpleName "
    "$huge.remainder($huge).class.simpleName $huge.mod(7).class.simpleName "
    "$huge.divide($huge).class.simpleName $huge.abs().class.simpleName "
    "$huge.min(1).class.simpleName $huge.gcd(30).class.simpleName $huge.pow(0).class.simpleName",
    "$huge.multiply(0).class.simpleName $huge.add(1).class.simpleName $huge.max(1).class.simpleName",
    "#set($x = $huge.subtract($huge))$x.toBinaryString(-1) $x.byteValue() $x.equals(0) $x.hashCode()",
    "$huge.compareTo($nhuge) $nhuge.compareTo($huge) $huge.equals($huge) $huge.equals(1) "
    "$huge.compareTo(1) $huge.equals($huge.add(0))",
    # a null argument: JDK 17's helpful NullPointerException text names the field it read
    "$huge.add($null)", "$huge.subtract($null)", "$huge.multiply($null)", "$huge.divide($null)",
    "$huge.remainder($null)", "$huge.mod($null)", "$huge.min($null)", "$huge.gcd($null)",
    "$huge.and($null)", "$huge.xor($null)", "$huge.andNot($null)", "$huge.modPow($null, 5)",
    "$huge.modPow(2, $null)", "$huge.modPow($null, $null)", "$huge.modInverse($null)",
    "$huge.divideAndRemainder($null)",
    # beyond Java's 2^31 bits, Java's overflow
    "$huge.shiftLeft(2147483647)", "$huge.pow(2147483647)", "$huge.setBit(2147483647)",
    "$nhuge.setBit(2147483647) $huge.clearBit(2147483647) $huge.testBit(2147483647)",
    "$huge.and(255) $huge.or(1) $huge.xor($huge) $huge.not() $huge.shiftLeft(3) "
    "$huge.shiftRight(80) $huge.testBit(1)",
    "$huge.shiftLeft(-3) $huge.shiftRight(-3) $nhuge.shiftRight(200) $nhuge.not() $nhuge.and(255) "
    "$huge.andNot(255) $huge.testBit(0) $nhuge.testBit(500)",
    "$huge.sqrt() $huge.bitCount() $huge.getLowestSetBit()",
    "$huge.shiftLeft(-1) $huge.shiftRight(1) $huge.shiftLeft(0) $nhuge.shiftLeft(-1) "
    "$nhuge.shiftRight(-1)",
    "$nhuge.bitCount() $nhuge.getLowestSetBit() $huge.subtract($huge).getLowestSetBit() "
    "$huge.subtract($huge).bitLength()",
    "$huge.setBit(0) $huge.clearBit(1) $huge.flipBit(0) $nhuge.setBit(300) $nhuge.clearBit(1) "
    "$huge.clearBit(300) $nhuge.flipBit(0)",
    "$huge.testBit(-1)", "$huge.setBit(-1)", "$nhuge.sqrt()",
    "$huge.modPow(2, 1000) $huge.modPow(-1, 1000001) $nhuge.modPow(3, 7) $huge.modPow(5, 1)",
    "$huge.modPow(-1, 7)", "$huge.modPow(2, 0)", "$huge.modInverse(7)",
    "$huge.modInverse(1000001) $nhuge.modInverse(1000001)",
    "$huge.divideAndRemainder(7).size() $huge.divideAndRemainder(7)[0] "
    "$nhuge.divideAndRemainder(7)[1] $huge.divideAndRemainder(7)[1].class.simpleName",
    "$huge.intValueExact()", "$huge.longValueExact()",
    "#set($x = $huge.subtract($huge).add(5))$x.intValueExact() $x.longValueExact() "
    "$x.shortValueExact() $x.byteValueExact() $x.longValueExact().class.simpleName",
    "#set($x = $huge.subtract($huge).add(300))$x.byteValueExact()",
    "#set($x = $huge.subtract($huge).add(-300))$x.shortValueExact() $x.toString(2) $x.signum()",
    "#set($x = $huge.subtract($huge).add(40000))$x.shortValueExact()",
    "#set($x = $huge.subtract($huge))$x.add(2147483647).intValueExact() "
    "$x.add(-2147483648).intValueExact() $x.add(127).byteValueExact() "
    "$x.add(-128).byteValueExact() $x.add(32767).shortValueExact() "
    "$x.add(-32768).shortValueExact() $x.add($lmax).longValueExact() "
    "$x.add($lmin).longValueExact()",
    "#set($x = $huge.subtract($huge))$x.add(2147483648).intValueExact()",
    "#set($x = $huge.subtract($huge))$x.add(-2147483649).intValueExact()",
    "#set($x = $huge.subtract($huge))$x.add(128).byteValueExact()",
    "#set($x = $huge.subtract($huge))$x.add(-129).byteValueExact()",
    "#set($x = $huge.subtract($huge))$x.add($lmax).add(1).longValueExact()",
    "$huge.valueOf(5) $huge.valueOf(5).class.simpleName",
    # ---- Double: NaN, infinities, -0.0
    "$d.isInfinite() $d.isNaN() $d.infinite $d.naN",
    "$d.isInfinite($d) $d.isInfinite($d.parseDouble('Infinity')) "
    "$d.isInfinite($d.parseDouble('-Infinity')) $d.isInfinite($d.parseDouble('NaN'))",
    "$d.isNaN($d.parseDouble('NaN')) $d.isFinite($d.parseDouble('NaN')) $d.isFinite(1.5) "
    "$d.isFinite($d.parseDouble('Infinity'))",
    "#set($inf = $d.parseDouble('Infinity'))$inf $inf.isInfinite() $inf.isNaN() $inf.intValue() "
    "$inf.longValue() $inf.byteValue() $inf.shortValue()",
    "#set($inf = $d.parseDouble('-Infinity'))$inf $inf.isInfinite() $inf.intValue() $inf.longValue() "
    "$inf.shortValue()",
    "#set($nan = $d.parseDouble('NaN'))$nan $nan.isNaN() $nan.isInfinite() $nan.intValue() "
    "$nan.longValue() $nan.byteValue() $nan.hashCode()",
    "#set($nan = $d.parseDouble('NaN'))$nan.compareTo(1.0) $nan.compareTo($nan) $d.compareTo($nan) "
    "$nan.equals($nan) $d.compare($nan, 1.0) $d.compare(1.0, $nan)",
    "#set($nan = $d.parseDouble('NaN'))$d.max($nan, 1.0) $d.max(1.0, $nan) $d.min($nan, 1.0) "
    "$d.max(-0.0, 0.0) $d.min(-0.0, 0.0) $d.min(0.0, -0.0) $d.max(0.0, -0.0)",
    "$d.max(1.5, 2.5) $d.max(-1.5, -2.5) $d.min(1.5, 2.5) $d.max(1, 2) $d.sum(0.1, 0.2) $d.sum(1, 2)",
    "$d.max(2.5, 1).class.simpleName $d.sum(1, 2).class.simpleName $d.valueOf(3).class.simpleName",
    "$d.compare(0.0, -0.0) $d.compare(-0.0, 0.0) $d.compare(1.5, 1.5) $d.compare(1.0, 2.0)",
    "#set($z = -0.0)$z $z.compareTo(0.0) $z.equals(0.0) $z.hashCode() $d.compare($z, 0.0)",
    "$d.compareTo(300.7) $d.compareTo(1.0) $d.compareTo(400.0) $nd.compareTo($d)",
    "$d.compareTo(1)",
    "$d.sum($d.parseDouble('Infinity'), $d.parseDouble('-Infinity')) $d.isNaN(1) $d.intValue() "
    "$d.byteValue()",
    "$d.sum($d, $nd) $d.max($d, $nd) $d.signum(-2.0)",
    # parseDouble: decimal and hexadecimal, suffixes, blanks, overflow
    "$d.parseDouble('1e3') $d.parseDouble(' 2.5 ') $d.parseDouble('1d') $d.parseDouble('1f') "
    "$d.parseDouble('-0') $d.parseDouble('.5') $d.parseDouble('0x1p3') $d.parseDouble('+Infinity')",
    "$d.parseDouble('0x1.8p1') $d.parseDouble('-0X.8P-1') $d.parseDouble('0x1p3d') "
    "$d.parseDouble(' NaN') $d.parseDouble('-Infinity ') $d.parseDouble('1e400') "
    "$d.parseDouble('1e-400') $d.parseDouble('1.5E+3F')",
    "$d.parseDouble('0x1.fffffffffffff8p1023') $d.parseDouble('-0x1p99999999999') "
    "$d.parseDouble('0x1p-1075') $d.parseDouble('0x1.8p-1074') $d.parseDouble('0x1.00000000000008p0') "
    "$d.parseDouble('0x0p9999')",
    "$d.parseDouble('0x10')", "$d.parseDouble('infinity')", "$d.parseDouble('1_000')",
    "$d.parseDouble('abc')", "$d.parseDouble('')", "$d.parseDouble('0x1.8')",
    "$d.valueOf('2.5') $d.valueOf(3) $d.toString(0.1) $d.toString(1.0E7) $d.hashCode(1.5) "
    "$d.hashCode()",
    # bits and hexadecimal strings
    "$d.toHexString(1.0) $d.doubleToLongBits(1.0) $d.longBitsToDouble(4607182418800017408)",
    "$d.toHexString(-0.0) $d.toHexString(0.1) $d.toHexString(4.9E-324) "
    "$d.toHexString($d.parseDouble('NaN')) $d.toHexString($d.parseDouble('-Infinity')) "
    "$d.toHexString(2.2250738585072014E-308) $d.toHexString(-300.75)",
    "$d.doubleToLongBits($d.parseDouble('NaN')) $d.doubleToRawLongBits(-0.0) "
    "$d.doubleToLongBits(-1.5) $d.longBitsToDouble(-4609434218613702656) "
    "$d.longBitsToDouble(9218868437227405312) $d.doubleToLongBits(1.0).class.simpleName",
    # Float from floatValue()
    "$d.floatValue() $d.floatValue().class.simpleName $bigd.floatValue() $nd.floatValue().isNaN()",
    "#set($f = $d.floatValue())$f.doubleValue() $f.intValue() $f.compareTo($f) $f.hashCode() "
    "$f.isInfinite()",
    "#set($f = $huge.floatValue())$f $f.isInfinite() $f.doubleValue()",
    # ---- Boolean
    "$t.compareTo($f) $f.compareTo($t) $t.compareTo($t) $t.compare(true, false) $t.hashCode() "
    "$f.hashCode() $t.hashCode(false)",
    "$t.logicalXor(true, false) $t.logicalXor(true, true) $t.logicalAnd(true, false) "
    "$t.logicalOr(false, false) $t.logicalOr(false, true)",
    "$t.parseBoolean('TRUE') $t.parseBoolean('yes') $t.parseBoolean($null) $t.valueOf('tRuE') "
    "$t.valueOf(false) $t.toString(false) $f.booleanValue()",
    "$t.equals(true) $t.equals('true') $f.equals($f) $t.class.name",
    # ---- BigDecimal (string arithmetic makes one)
    "#set($x = $sn * 2)$x $x.class.simpleName $x.compareTo($x) $x.equals($x) $x.hashCode()",
    "#set($x = '1E+3' * 1)$x $x.intValue()",
    "#set($x = $sn * 2)$x.scale() $x.precision() $x.toPlainString() $x.stripTrailingZeros() "
    "$x.setScale(1) $x.signum() $x.negate() $x.abs() $x.unscaledValue()",
    "#set($x = $sn * 2)$x.toBigInteger() $x.toBigInteger().class.simpleName "
    "$x.toEngineeringString() $x.ulp() $x.movePointLeft(2) $x.scaleByPowerOfTen(2)",
    "#set($x = '1E+3' * 1)$x.scale() $x.precision() $x.stripTrailingZeros() $x.unscaledValue() "
    "$x.toEngineeringString() $x.toPlainString()",
    "#set($x = '1E+3' * 1)$x.movePointLeft(1) $x.movePointRight(1) $x.scaleByPowerOfTen(3) "
    "$x.movePointLeft(-5) $x.ulp() $x.toBigInteger() $x.intValueExact() $x.negate() $x.plus()",
    "#set($x = '123.456' * 1)$x.movePointLeft(1) $x.movePointRight(4) $x.scaleByPowerOfTen(-3) "
    "$x.toBigInteger() $x.negate().toBigInteger() $x.ulp() $x.precision() $x.unscaledValue() "
    "$x.scale() $x.movePointLeft(0)",
    "#set($x = '0.000' * 1)$x $x.stripTrailingZeros() $x.signum() $x.scale() $x.precision() "
    "$x.toPlainString()",
    "#set($x = '-0.0' * 1)$x $x.signum() $x.negate() $x.abs() $x.stripTrailingZeros() "
    "$x.toPlainString()",
    "#set($x = '0E+5' * 1)$x $x.toEngineeringString() $x.toPlainString() $x.stripTrailingZeros() "
    "$x.scale()",
    "#set($x = '0.00000012' * 1)$x $x.toPlainString() $x.toEngineeringString() "
    "$x.stripTrailingZeros() $x.scale() $x.precision()",
    "#set($x = '12345.6789E-20' * 1)$x $x.toEngineeringString() $x.toPlainString()",
    "#set($x = '1E+10' * 1)$x.longValueExact() $x.toPlainString() $x.stripTrailingZeros() "
    "$x.toEngineeringString() $x.longValueExact().class.simpleName",
    # setScale: rounding modes 0-6 (UP, DOWN, CEILING, FLOOR, HALF_UP, HALF_DOWN, HALF_EVEN)
    "#set($x = '2.5' * 1)$x.setScale(-1, 4) $x.setScale(0, 0) $x.setScale(0, 1) $x.setScale(0, 2) "
    "$x.setScale(0, 3) $x.setScale(0, 5) $x.setScale(0, 6) $x.setScale(3, 7)",
    "#set($x = '-2.5' * 1)$x.setScale(0, 0) $x.setScale(0, 1) $x.setScale(0, 2) $x.setScale(0, 3) "
    "$x.setScale(0, 4) $x.setScale(0, 5) $x.setScale(0, 6) $x",
    "#set($x = '-1.55' * 1)$x.setScale(1, 4) $x.setScale(1, 1) $x.setScale(1, 6) $x.setScale(4)",
    "#set($x = '-0.4' * 1)$x.setScale(0, 4) $x.setScale(0, 1) $x.setScale(0, 3)",
    "#set($x = '-2.5' * 1)$x.setScale(0, 7)", "#set($x = '-1.55' * 1)$x.setScale(1)",
    "#set($x = '2.5' * 1)$x.setScale(1, 8)", "#set($x = '2.5' * 1)$x.setScale(1, -1)",
    "#set($x = '2.5' * 1)$x.pow(3) $x.pow(0) $x.pow(1) $x.negate().pow(3)",
    "#set($x = '2.5' * 1)$x.pow(-1)", "#set($x = '2.5' * 1)$x.pow(1000000000)",
    "#set($x = '123.456' * 1)$x.intValueExact()", "#set($x = '1E+10' * 1)$x.intValueExact()",
    "#set($x = '1E+20' * 1)$x.longValueExact()", "#set($x = '300' * 1)$x.byteValueExact()",
    "#set($x = '0.5' * 1)$x.longValueExact()",
    "#set($x = '12345678901234567890.5' * 1)$x.longValueExact()",
    "#set($x = '9223372036854775808' * 1)$x.longValueExact()",
    "#set($x = '-9223372036854775808' * 1)$x.longValueExact() $x.toBigIntegerExact()",
    "#set($x = '300' * 1)$x.shortValueExact() $x.toBigIntegerExact() $x.intValueExact()",
    "#set($x = '-40000' * 1)$x.shortValueExact()",
    "#set($x = '0.5' * 1)$x.toBigIntegerExact()",
    "#set($x = '0.000' * 1)$x.intValueExact() $x.toBigIntegerExact() $x.longValueExact()",
    "#set($x = '1E+999999999' * 1)$x $x.scale() $x.precision()",
    "#set($x = '1E+999999999' * 1)$x.toBigInteger()",
    "#set($x = '2.5' * 1)$x.setScale(2147483647)",
    "#set($x = '2.5' * 1)$x.movePointLeft(2147483647)",
    "#set($x = '2.5' * 1)$x.scaleByPowerOfTen(-2147483647)",
    "#set($x = '2.5' * 1)$x.scaleByPowerOfTen(2147483647)",
    "#set($x = '0.0' * 1)$x.scaleByPowerOfTen(-2147483647)",
    "#set($x = '2.5' * 1)$x.hashCode() $x.equals($x.setScale(3)) $x.compareTo($x.setScale(3)) "
    "$x.class.name $x.doubleValue() $x.floatValue()",
    "#set($x = '2.5' * 1)$x.valueOf(5) $x.valueOf(25, 1) $x.valueOf(2.5) $x.valueOf(1.0E20) "
    "$x.valueOf(-0.0) $x.valueOf(5, -2)",
    "#set($x = '2.5' * 1)$x.valueOf($d.parseDouble('NaN'))",
    "#set($x = '2.5' * 1)$x.valueOf($d.parseDouble('-Infinity'))",
    "#set($x = '2.5' * 1)$x.compareTo($null)",
    # ---- maps: which names are the map's own methods as properties
    "$m.values $m.isEmpty $m.size $m.keySet $m.entrySet $m.empty $m.class.simpleName",
    "$em.values $em.isEmpty $em.size $em.keySet $em.empty",
    "$mk.values $mk.size $mk.empty $mk.isEmpty $mk.keySet $mk.class",
    "$mk.Class",
    "$mk.Size $mk.Values $mk.IsEmpty $mk.KeySet $mk.HashCode $mk.ToString $mk.Empty $mk.EntrySet "
    "$mk.Clear",
    "$mk.hashCode $mk.toString $mk.entrySet.size() $mk.getClass",
    "#set($mm = {'Size': 'S', 'Values': 'V', 'IsEmpty': 'I', 'KeySet': 'K', 'HashCode': 'H', "
    "'ToString': 'T', 'Empty': 'E', 'EntrySet': 'ES', 'Clear': 'C', 'GetClass': 'G', 'class': 'c'})"
    "$mm.Size $mm.Values $mm.IsEmpty $mm.KeySet $mm.HashCode $mm.ToString $mm.Empty $mm.EntrySet "
    "$mm.Clear $mm.GetClass $mm.class",
    "#set($mm = {'a': 1})$mm.clear $mm",
    "#set($mm = {'a': 1})$mm.Clear $mm",
    # ---- map methods
    "$m.values() $m.isEmpty() $em.isEmpty() $m.size() $m.containsValue('x') $m.containsValue(1.0) "
    "$m.containsKey('b') $m.containsKey('B')",
    "$m.getOrDefault('zz', 'dflt') $m.getOrDefault('a', 'dflt') $m.putIfAbsent('a', 5) "
    "$m.putIfAbsent('c', 5) $m",
    "$m.replace('a', 9) $m.replace('zz', 9) $m",
    "$m.replace('a', 1, 2) $m.replace('a', 5, 6) $m",
    "$m.remove('a', 2) $m.remove('b', 'y') $m $m.remove('b', 'x') $m",
    "$m.put('a', $null) $m.putIfAbsent('a', 7) $m $m.remove('zz') $m.remove('a') $m",
    "$m.values().contains('x') $m.values().size() $m.keySet().size $m.entrySet().size()",
    "#foreach($e in $m.entrySet())$e.setValue('z') #end$m",
    "#foreach($e in $m.entrySet())$e.key:$e.value:$e.hashCode():$e #end",
    "$m.equals({'a': 1, 'b': 'x'}) $m.equals({'b': 'x', 'a': 1}) $m.equals({'a': 1}) $m.hashCode() "
    "$em.hashCode() $m.toString()",
    "$m.clear() $m $m.size()",
    "$m.get('a').class.simpleName $m.get('A') $m.get(1)",
    "$m.putAll({'c': 3, 'a': 0}) $m",
    # ---- lists and arrays
    "$l.indexOf(1) $l.lastIndexOf(1) $l.indexOf(9) $l.lastIndexOf(9) $l.contains(2) $l.contains('2')",
    "$l.isEmpty() $el.isEmpty() $l.empty $el.empty $l.size $el.size",
    "$l.subList(1, 3) $l.subList(0, 0) $l.subList(4, 4)",
    "$l.subList(-1, 2)", "$l.subList(0, 5)", "$l.subList(3, 2)",
    "$l.get(4)", "$l.get(9)", "$l.get(-1)", "$l.set(4, 0)", "$l.set(9, 0)", "$l.add(5, 'x')",
    "$l.remove(4)",
    "$l.add(4, 'x') $l", "$l.add(0, 'y') $l", "$l.remove(1) $l", "$l.set(0, 9) $l",
    "$l.containsAll([1, 2]) $l.containsAll([1, 9]) $l.retainAll([1, 2]) $l $l.removeAll([2]) $l",
    "$l.addAll([7, 8]) $l $l.addAll(1, [5]) $l $l.addAll([]) $l.addAll(0, [])",
    "$l.addAll(9, [5])",
    "$l.equals([3, 1, 2, 1]) $l.equals([3, 1, 2]) $l.hashCode() $el.hashCode() $el",
    "$l.sort($null) $l", "$l.clear() $l $l.size()",
    "$l[0] $l[-1] $l[3] $l[-4]",
    "$l[4]", "$l[-5]",
    "#set($a = $s.split(''))$a.size() $a.remove('q') $a.contains('b') $a.indexOf('c') $a.lastIndexOf('a')",
    "#set($a = $s.split(''))$a.remove('a')",
    "#set($a = $s.split(''))$a.set(0, 'z') $a.get(0)",
    "#set($a = $s.split(''))$a.add('z')",
    "#set($a = $s.split(''))$a.clear()",
    # ---- nulls in lists and maps, sorting (ComparableTimSort's failures), views, entries
    "#set($ln = [1, $null, 2, $null])$ln.indexOf($null) $ln.lastIndexOf($null) $ln.contains($null) $ln.remove($null) $ln $ln.size()",
    "#set($mn = {'a': 1, 'b': $null})$mn.containsValue($null) $mn.getOrDefault('b', 'd') $mn.containsKey('b') $mn.replace('b', $null, 5) $mn $mn.remove('b', 5) $mn",
    "#set($mn = {'a': $null})$mn.remove('a', $null) $mn $mn.size()",
    "#set($mn = {'a': 1})$mn.containsValue($null) $mn.remove('a', $null) $mn.replace('a', $null, 2) $mn",
    "$l.add(-1, 'x')",
    "$l.addAll(-1, [5])",
    "#set($x = [true, false, true])$x.sort($null) $x",
    "#set($x = ['b', 'a', 'C'])$x.sort($null) $x",
    "#set($x = [2, 1.5])$x.sort($null)",
    "#set($x = [2, 1, $long])$x.sort($null)",
    "#set($x = [2.5, 1.5, -0.0, 0.0])$x.sort($null) $x",
    "#set($x = ['b', $s.charAt(0)])$x.sort($null)",
    "#set($x = [$null, 1])$x.sort($null)",
    "#set($x = [1, 'a'])$x.sort($null)",
    "#set($x = [1, true])$x.sort($null)", "#set($x = [true, 1])$x.sort($null)",
    "$l.sort('x') $l.sort(1)",
    "$l.toArray().size() $l.toArray().get(0) $l.toArray().class.name",
    "#set($a = $s.split(''))$a.equals($a) $a.equals($s.split('')) $a.equals(['a', 'b', 'c']) $a.class.simpleName",
    "$m.keySet().remove('a') $m $m.keySet().remove('zz') $m",
    "$m.values().remove('x') $m",
    "$m.keySet().removeAll(['a', 'q']) $m",
    "$m.keySet().clear() $m $m.size()",
    "$m.values().clear() $m",
    "$m.keySet().add('q')",
    "$m.values().addAll(['q'])",
    "$m.keySet().contains('a') $m.keySet().containsAll(['a', 'b']) $m.keySet().containsAll(['a', 'z']) $m.values().contains(1) $m.keySet().isEmpty() $em.keySet().isEmpty() $m.keySet().toArray().size()",
    "#foreach($e in $m.entrySet())$e.equals($e) $e.getKey() $e.getValue() $e.toString() #end",
    "#set($es = $m.entrySet())#foreach($e in $es)#set($old = $e.setValue(5))$old #end$m",
    "$l.retainAll([]) $l $l.isEmpty()",
    "$l.removeAll($l) $l",
    "$l.addAll($l) $l",
    "$l.containsAll([]) $el.containsAll([]) $el.containsAll([1])",
    "$l.indexOf('1') $l.indexOf(1.0) $l.contains(1.0) $l.indexOf($long)",
    "$l.lastIndexOf(3) $l.lastIndexOf(2) $l.indexOf(3)",
    "$l.set(0, $null) $l $l.indexOf($null)",
    "$l.get(0).class.simpleName $l.get(3)",
    "$l.remove(0) $l.remove(0) $l.remove(0) $l.remove(0) $l $l.isEmpty()",
    "$el.remove(0)",
    "$el.get(0)",
    "$el.set(0, 1)",
    "$el.subList(0, 0) $el.indexOf(1) $el.lastIndexOf(1) $el.toString() $el.equals([]) $el.add(1) $el",
    "$m.entrySet().contains($m.entrySet().toArray().get(0)) $m.entrySet().size()",
    "$m.putAll($m) $m $m.putAll({}) $m",
    "$m.putIfAbsent('a', $null) $m.putIfAbsent('z', $null) $m $m.putIfAbsent('z', 3) $m",
    "$m.equals($null) $m.equals('x') $l.equals($null) $l.equals('x') $m.equals($m)",
    "$em.equals({}) $el.equals([]) $em.toString() $em.keySet() $em.values() $em.entrySet()",
    "$m.remove('a') $m.remove('a') $m",
    "$m.replace('zz', 1, 2) $m",
    "$m.keySet().equals(['a', 'b']) $m.keySet().hashCode() $m.entrySet().hashCode() $m.keySet()",
    "$l.subList(1, 3).size() $l.subList(1, 3).get(0) $l",
    "#set($x = [1, $null])$x.sort($null)",
    "#set($x = ['a', $null])$x.sort($null)",
    "#set($x = [$null, 'a'])$x.sort($null)",
    "#set($x = [$null, $null])$x.sort($null)",
    "#set($x = [$null])$x.sort($null) $x",
    "#set($x = [$null, 1.5])$x.sort($null)",
    "#set($x = [$null, true])$x.sort($null)",
    "#set($x = [$null, $long])$x.sort($null)",
    "#set($x = [$null, $huge])$x.sort($null)",
    "#set($x = [$long, 1])$x.sort($null)",
    "#set($x = [1.5, $d.floatValue()])$x.sort($null)",
    "#set($x = [[1], [2]])$x.sort($null)",
    "#set($x = [{}, {}])$x.sort($null)",
    "#set($x = [0.0, -0.0, 1.5])$x.sort($null) $x",
    "#set($x = [$d.parseDouble('NaN'), 1.5, $d.parseDouble('-Infinity')])$x.sort($null) $x",
    # ---- ranges
    "#set($r = [3..1])$r $r.size() $r.get(0) $r.contains(2) $r.indexOf(1) $r.class.simpleName",
    "#set($r = [-2..2])$r $r.size()", "#set($a = '2')#set($b = 4.9)#set($r = [$a..$b])$r",
    "#set($r = [$max..2147483646])$r", "#set($r = [5..5])$r $r.size()",
    "#set($r = [1..3])$r.remove(0)", "#set($r = [1..3])$r.clear()", "#set($r = [1..3])$r.sort($null)",
    "#set($r = [1..3])$r.set(0, 5)", "#set($r = [1..3])$r.add(4)",
    "#set($r = [1..3])$r.remove(5)", "#set($r = [1..3])$r.clear",
    "#set($r = [1..3])$r.contains(3) $r.subList(1, 3) $r.equals([1, 2, 3]) $r.hashCode()",
    "#set($r = [1..3])$r.removeAll([1])", "#set($r = [1..3])$r.retainAll([1])",
    "#set($r = [1..3])$r.addAll([1])", "#set($r = [1..3])$r.addAll(0, [1])",
    "#set($r = [1..3])$r.addAll(9, [])",
    "#set($r = [1..3])$r.removeAll([9]) $r.retainAll([1, 2, 3]) $r.addAll([]) $r.addAll(3, []) $r",
    "#set($r = [$l..3])[$!r]", "#set($r = [$null..3])[$!r]",
    # ---- class names and equals across number types
    "$i.class.name $huge.class.name $d.class.name $t.class.name $m.class.name $l.class.name "
    "$s.class.name",
    "$i.equals(300) $i.equals($long) $i.equals(300.0) $long.equals(4294967596) $i.compareTo(299) "
    "$i.compareTo(301) $i.compareTo(300)",
    "$long.compareTo(1)", "$i.compareTo($long)",
    # ---- $data, the contact-field map (recorded as a LinkedHashMap: that is what it is)
    "$data.firstName $data.values $data.size $data.empty $data.isEmpty $data.cart.n "
    "$data.get('EVENT.total') $data.keySet() $data.class.simpleName",
    "[$data.FIRSTNAME] [$data.nothing] $data.containsKey('firstName') $data.getOrDefault('x', 0)",
    "#foreach($v in $data)$v;#end $data.entrySet().size() $data.values().size()",
]

#: Where we answer otherwise, and why (the template, then our output).
KNOWN = {
    # byte and short results are Integers here: no template does Byte arithmetic, and a
    # Byte prints, compares and converts like the Integer of the same value
    "$i.byteValue().class.simpleName $i.shortValue().class.simpleName": "Integer Integer",
}


def _ours(template: str, data: dict):
    import copy
    try:
        return "out", Engine().render(template, copy.deepcopy(data), name="t")
    except TemplateError as exc:
        return "error", exc


def recorded_rows(path: Path):
    """The recorded answers (none before the first recording: the case-list test fails)."""
    if not path.exists():
        return {}, []
    recorded = json.loads(path.read_text(encoding="utf-8"))
    return recorded, recorded["cases"]


RECORDED_DATA, ROWS = recorded_rows(RECORDED)


def assert_recording_matches(recorded: dict, rows: list, cases: list, data, width: int = 1):
    """A recording answers exactly this case list (each row's first ``width`` fields), from
    Velocity 2.4.1 on JDK 17, for this data: a case added without re-recording fails here.
    Single-field cases must also be unique (a case twice is a copy-paste slip)."""
    keys = [row[0] if width == 1 else tuple(row[:width]) for row in rows]
    assert keys == list(cases)
    assert recorded.get("velocity") == "2.4.1" and recorded.get("jdk") == "17"
    assert recorded["data"] == data
    if width == 1:
        assert len(cases) == len(set(cases))


def test_recorded_answers_match_the_case_list():
    assert_recording_matches(RECORDED_DATA, ROWS, CASES, DATA)
    assert sum("error" in answer for _, answer in ROWS) >= 40


def check(template: str, answer: dict, data: dict) -> None:
    """Our answer to ``template`` with ``data`` is the one Velocity recorded."""
    kind, mine = _ours(template, data)
    if "out" in answer:
        assert kind == "out", f"velocity printed {answer['out']!r}, we failed: {mine}"
        assert mine == answer["out"]
    else:
        assert kind == "error", f"velocity threw {answer['chain'][-1]}, we printed {mine!r}"
        assert type(mine) is RenderError
        assert mine.message == _velocity_error(answer)


@pytest.mark.parametrize("template, answer",
                         [pytest.param(t, a, id=t[:70]) for t, a in ROWS if t not in KNOWN])
def test_same_as_velocity(template, answer):
    check(template, answer, DATA)


@pytest.mark.parametrize("template", sorted(KNOWN))
def test_known_differences(template):
    answer = dict(ROWS)[template]
    assert "out" in answer and answer["out"] != KNOWN[template]
    assert _ours(template, DATA) == ("out", KNOWN[template])


# --------------------------------------------------------------------------------------------
# $data as the scenarios build it: contact fields (case-insensitive) under event parameters

_CONTACT = {"firstName": "Ann", "values": "V", "size": 3, "empty": ""}
_EVENT = {"cart": {"n": 2}, "EVENT.total": 10.5}


def _contact_map() -> FieldMap:
    return FieldMap.layered(_CONTACT, _EVENT)


def test_contact_map_is_the_recorded_map():
    assert dict(_contact_map()) == DATA["data"]
    assert list(_contact_map()) == list(DATA["data"])


@pytest.mark.parametrize("template, answer",
                         [pytest.param(t, a, id=t[:70]) for t, a in ROWS if "$data" in t])
def test_contact_field_map_answers_like_velocity(template, answer):
    """Names spelt as stored: the contact-field map answers as the LinkedHashMap Velocity
    saw (its own methods for ``values``/``size``/``isEmpty``, ``get`` for the rest), except
    that ``$data.FIRSTNAME`` finds the contact field, which is the next test's."""
    if "FIRSTNAME" in template:
        answer = {"out": answer["out"].replace("[$data.FIRSTNAME]", "[Ann]")}
    check(template, answer, dict(DATA, data=_contact_map()))


def test_contact_field_names_are_case_insensitive_event_names_are_not():
    out = Engine().render("$data.FIRSTNAME $data.firstname $data.get('FirstName') "
                          "$data.containsKey('FIRSTNAME') $data.VALUES $data.Size "
                          "[$!data.CART] [$!data.event.total] $data.size()",
                          {"data": _contact_map()}, name="t")
    # VALUES and Size are no Map methods (those are case-sensitive: values, size), so they
    # are Map.get("VALUES") and Map.get("Size"), which find the contact fields "values" and
    # "size"; event parameters (cart, EVENT.total) match only as spelt; size() counts six
    assert out == "Ann Ann Ann true V 3 [] [] 6"


# --------------------------------------------------------------------------------------------
# the range-size limit (ours: Velocity builds any range the heap holds)

@pytest.mark.parametrize("template, size", [
    ("#set($r = [1..1000000])$r.size() $r.get(999999)", "1000000 1000000"),
    ("#set($r = [0..-999999])$r.size() $r.get(999999)", "1000000 -999999"),
])
def test_a_range_of_one_million_items_is_built(template, size):
    assert Engine().render(template, {}, name="t") == size


@pytest.mark.parametrize("template, message", [
    ("#set($r = [1..1000001])", "range [1..1000001] has 1000001 items, more than the 1000000 "
                                "a template may build"),
    ("#set($r = [0..-1000000])", "range [0..-1000000] has 1000001 items, more than the 1000000 "
                                 "a template may build"),
    ("#set($r = [$min..$max])", "range [-2147483648..2147483647] has 4294967296 items, more "
                                "than the 1000000 a template may build"),
])
def test_a_larger_range_is_refused_before_it_is_built(template, message):
    with pytest.raises(LimitExceeded) as caught:
        Engine().render(template, {"min": -2147483648, "max": 2147483647}, name="t")
    assert caught.value.one_line() == f"t:1:11: LimitExceeded: {message}"


# --------------------------------------------------------------------------------------------
# what the collection methods cost the render budget (docs/java-values.md, "Limits": scans
# charge a step per 4 elements looked at, each list or map slot built 8 characters), so
# that a method cannot get cheaper than the work it does without a test failing

_LIST, _HALF, _MAP = list(range(64)), list(range(32)), {f"k{i}": i for i in range(64)}


@pytest.mark.parametrize("receiver, name, args, steps, chars", [
    ("list", "indexOf", [1000], 16, 0),           # 64 elements looked at
    ("list", "lastIndexOf", [1000], 16, 0),
    ("list", "contains", [1000], 16, 0),
    ("list", "add", ["x"], 0, 8),                 # one slot
    ("list", "add", [0, "x"], 4, 8),              # and the tail moved: 64 / 16
    ("list", "addAll", [_HALF], 0, 512),          # 32 slots, charged twice ($l.addAll($l))
    ("list", "addAll", [0, _HALF], 4, 512),
    ("list", "removeAll", [_HALF], 1024, 0),      # 64 x 32 pairs / 4, plus each lookup
    ("list", "retainAll", [_HALF], 1024, 0),
    ("list", "containsAll", [_HALF], 1024, 0),
    ("list", "subList", [0, 32], 0, 256),
    ("list", "sort", [None], 448, 0),             # 64 x 7 (n log n)
    ("one", "sort", [None], 1, 0),                # one element: one step
    ("empty", "sort", [None], 0, 0),
    ("list", "toArray", [], 0, 512),
    ("map", "put", ["new", 1], 0, 16),            # a key and a value slot
    ("map", "put", ["k1", 2], 0, 0),              # replacing builds nothing
    ("map", "putAll", [{f"n{i}": i for i in range(4)}], 0, 128),
    ("map", "keySet", [], 0, 512),
    ("map", "values", [], 0, 512),
    ("map", "entrySet", [], 0, 4096),             # an entry object (8 slots) per entry
])
def test_collection_methods_charge_the_render_budget(receiver, name, args, steps, chars):
    import copy

    from templating.engine import budget
    from templating.engine.sandbox import call_method
    target = {"list": list(_LIST), "one": [5], "empty": [], "map": dict(_MAP)}[receiver]
    spent = budget.Budget()
    previous = budget.enter(spent)
    try:
        call_method(target, name, copy.deepcopy(args))
    finally:
        budget.leave(previous)
    assert (spent.steps, spent.chars) == (steps, chars)


# --------------------------------------------------------------------------------------------
# recording

def record(cases=CASES, data=DATA, path: Path = RECORDED) -> None:
    """Ask Velocity 2.4.1 (a JDK and the jars) for every case and write them to ``path``."""
    from velocity_oracle import run_oracle
    answers = run_oracle([(template, data) for template in cases])
    write_recording(path, data, [[t, a] for t, a in zip(cases, answers)])


def write_recording(path: Path, data, rows: list) -> None:
    """The recording file every pinned suite reads with :func:`recorded_rows`: one case per
    line, so a re-recording diffs case by case."""
    lines = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)
    path.write_text('{"velocity": "2.4.1", "jdk": "17", "data": '
                    + json.dumps(data, ensure_ascii=False) + ',\n "cases": [\n' + lines
                    + "\n]}\n", encoding="utf-8")
    print(f"recorded {len(rows)} answers in {path}")


if __name__ == "__main__":
    from velocity_oracle import oracle_available
    if not oracle_available():
        sys.exit("Velocity 2.4.1 jars or a JDK not found")
    record()
