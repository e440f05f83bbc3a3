<#
.SYNOPSIS
    Builds the Exclusion Monitor Windows folder and its zip from this source folder.

.DESCRIPTION
    Needs only 64-bit Python 3.11 or newer (from python.org, "py launcher" ticked) and an internet
    connection (or a pip mirror) for the pinned packages. No administrator rights.

    Run from a PowerShell prompt in the source folder:
        powershell -ExecutionPolicy Bypass -File build\build_windows.ps1

    It creates a fresh build environment in .venv-build, installs the exact versions in
    requirements\runtime.txt and requirements\build.txt, builds build\exclusion_monitor.spec with
    PyInstaller, checks the built program starts, and writes
        dist\ExclusionMonitor\                          the program folder to deploy
        dist\ExclusionMonitor-<version>-win64.zip       the same folder, zipped
    It stops at the first error with a message saying which step failed.

.PARAMETER Python
    The python.exe to build with. Default: the newest Python 3 the py launcher knows, else
    python.exe on the PATH.
#>
[CmdletBinding()]
param(
    [string]$Python = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Stop-Build([string]$Message) {
    Write-Host ''
    Write-Host "BUILD FAILED: $Message" -ForegroundColor Red
    exit 1
}

# Runs a program; stops the build if it exits with an error. Programs such as pip and PyInstaller
# write progress to stderr, which Windows PowerShell would otherwise treat as a failure.
function Invoke-Program([string]$Title, [string]$Program, [string[]]$Arguments) {
    Write-Host "==> $Title" -ForegroundColor Cyan
    $global:LASTEXITCODE = 0
    $previous = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        & $Program @Arguments
    } catch {
        $ErrorActionPreference = $previous
        Stop-Build "$Title could not start: $($_.Exception.Message)"
    } finally {
        $ErrorActionPreference = $previous
    }
    if ($LASTEXITCODE -ne 0) {
        Stop-Build "$Title failed (exit code $LASTEXITCODE). The messages above say why."
    }
}

# Runs a program and returns its standard output as one trimmed string.
function Get-ProgramOutput([string]$Title, [string]$Program, [string[]]$Arguments) {
    $global:LASTEXITCODE = 0
    $previous = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        $output = & $Program @Arguments
    } catch {
        $ErrorActionPreference = $previous
        Stop-Build "$Title could not start: $($_.Exception.Message)"
    } finally {
        $ErrorActionPreference = $previous
    }
    if ($LASTEXITCODE -ne 0) {
        Stop-Build "$Title failed (exit code $LASTEXITCODE)."
    }
    return (($output | Out-String).Trim())
}

$Root = Split-Path -Parent $PSScriptRoot
Set-Location -LiteralPath $Root
if (-not (Test-Path -LiteralPath (Join-Path $Root 'build\exclusion_monitor.spec'))) {
    Stop-Build "build\exclusion_monitor.spec not found under $Root; run the script from the source folder."
}

# 1. Find a 64-bit Python 3.11 or newer.
$PythonExe = $Python
$PythonArgs = @()
if (-not $PythonExe) {
    if (Get-Command 'py' -ErrorAction SilentlyContinue) {
        $PythonExe = 'py'
        $PythonArgs = @('-3')
    } elseif (Get-Command 'python' -ErrorAction SilentlyContinue) {
        $PythonExe = 'python'
    } else {
        Stop-Build 'Python was not found. Install 64-bit Python 3.11 or newer from python.org (tick "py launcher"), or pass -Python C:\path\to\python.exe.'
    }
}
# No double quotes inside arguments: Windows PowerShell 5.1 strips them on the way to a program.
$probe = 'import struct, sys; print(sys.version_info[0], sys.version_info[1], struct.calcsize(''P'') * 8, sys.executable)'
$found = Get-ProgramOutput 'Checking Python' $PythonExe ($PythonArgs + @('-c', $probe))
$parts = $found -split ' ', 4
if ($parts.Count -lt 4) {
    Stop-Build "Could not read the Python version (got: $found)."
}
$major = [int]$parts[0]
$minor = [int]$parts[1]
$bits = [int]$parts[2]
$BasePython = $parts[3]
if ($major -ne 3 -or $minor -lt 11) {
    Stop-Build "Python 3.11 or newer is needed; $BasePython is $major.$minor."
}
if ($bits -ne 64) {
    Stop-Build "64-bit Python is needed; $BasePython is $bits-bit."
}
Write-Host "Using Python $major.$minor (64-bit): $BasePython"

# 2. A fresh build environment with the pinned packages.
$Venv = Join-Path $Root '.venv-build'
if (Test-Path -LiteralPath $Venv) {
    Write-Host '==> Removing the previous build environment' -ForegroundColor Cyan
    Remove-Item -LiteralPath $Venv -Recurse -Force
}
Invoke-Program 'Creating the build environment (.venv-build)' $BasePython @('-m', 'venv', $Venv)
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
Invoke-Program 'Installing the pinned packages' $VenvPython @(
    '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input',
    '-r', 'requirements\runtime.txt', '-r', 'requirements\build.txt'
)

# 3. The version, from exclusion_monitor.__version__.
$Version = Get-ProgramOutput 'Reading the version' $VenvPython @(
    '-c', 'import sys; sys.path.insert(0, ''build''); import spec_support; print(spec_support.app_version())'
)
if ($Version -notmatch '^\d+(\.\d+)*[A-Za-z0-9.+-]*$') {
    Stop-Build "Unexpected version '$Version' in exclusion_monitor\__init__.py."
}
Write-Host "Building Exclusion Monitor $Version"

# 4. Build with PyInstaller (work and output folders outside build\).
$Dist = Join-Path $Root 'dist'
$AppFolder = Join-Path $Dist 'ExclusionMonitor'
$Zip = Join-Path $Dist "ExclusionMonitor-$Version-win64.zip"
foreach ($old in @($AppFolder, $Zip, (Join-Path $Root '.pyi-work'))) {
    if (Test-Path -LiteralPath $old) {
        Remove-Item -LiteralPath $old -Recurse -Force
    }
}
Invoke-Program 'Building with PyInstaller (a few minutes)' $VenvPython @(
    '-m', 'PyInstaller', '--noconfirm', '--clean', '--log-level', 'WARN',
    '--workpath', '.pyi-work', '--distpath', 'dist', 'build\exclusion_monitor.spec'
)
$DesktopExe = Join-Path $AppFolder 'ExclusionMonitor.exe'
$CliExe = Join-Path $AppFolder 'exclusion-monitor-cli.exe'
foreach ($exe in @($DesktopExe, $CliExe)) {
    if (-not (Test-Path -LiteralPath $exe)) {
        Stop-Build "PyInstaller finished but $exe is missing."
    }
}

# 5. Check the built program runs, in a throw-away data folder (not the builder's own).
$CheckHome = Join-Path ([System.IO.Path]::GetTempPath()) ("em-build-check-" + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $CheckHome | Out-Null
$previousHome = $env:EXCLUSION_MONITOR_HOME
$env:EXCLUSION_MONITOR_HOME = $CheckHome
try {
    $reported = Get-ProgramOutput 'Checking the built program (--version)' $CliExe @('--version')
    if ($reported -ne "exclusion-monitor $Version") {
        Stop-Build "The built program reports '$reported', expected 'exclusion-monitor $Version'."
    }
    $checkDb = Join-Path $CheckHome 'check.db'
    Invoke-Program 'Checking the built program (check on a new database)' $CliExe @('--db', $checkDb, 'check')
} finally {
    $env:EXCLUSION_MONITOR_HOME = $previousHome
    Remove-Item -LiteralPath $CheckHome -Recurse -Force -ErrorAction SilentlyContinue
}

# 6. Zip the folder (the zip holds the ExclusionMonitor folder itself).
Write-Host "==> Zipping to $Zip" -ForegroundColor Cyan
try {
    Compress-Archive -LiteralPath $AppFolder -DestinationPath $Zip -CompressionLevel Optimal
} catch {
    Stop-Build "Could not write the zip: $($_.Exception.Message)"
}

$sizeMb = [math]::Round(((Get-ChildItem -LiteralPath $AppFolder -Recurse -File | Measure-Object -Property Length -Sum).Sum / 1MB), 0)
$hash = (Get-FileHash -LiteralPath $Zip -Algorithm SHA256).Hash
Write-Host ''
Write-Host "Built Exclusion Monitor $Version" -ForegroundColor Green
Write-Host "  Folder: $AppFolder ($sizeMb MB)"
Write-Host "  Zip:    $Zip"
Write-Host "  SHA256: $hash"
exit 0
