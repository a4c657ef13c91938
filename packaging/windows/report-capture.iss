; Inno Setup script for Report Capture (per-machine install of the PyInstaller one-folder build).
;
; Build on Windows after `pyinstaller packaging/pyinstaller/report-capture.spec`:
;   iscc packaging\windows\report-capture.iss
;
; Silent installation for software distribution (SCCM, Intune, Group Policy):
;   ReportCapture-Setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /SP-
;       [/TASKS="desktopicon,autostart"] [/CONFIG="\\server\share\report-capture\config.toml"]
;       [/LOG="C:\Windows\Temp\report-capture-setup.log"]
;
; /CONFIG copies an organisation configuration file to
; %PROGRAMDATA%\ReportCapture\config.toml (the system location the app reads; see
; packaging/config/organisation-sample.toml). A config.toml lying next to the setup program is
; used the same way. Group Policy can instead place that file with a Files preference item.
; An existing organisation file is only replaced when a new one is given.

#define AppName "Report Capture"
#define AppVersion "0.1.0"
#define AppExe "ReportCapture.exe"
#define ShortcutName "Problem melden"

[Setup]
AppId={{6C9B7E62-2F0B-4C55-9C55-5E3A2D7C1A40}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Report Capture
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-machine: installed once for every agent on the laptop, by IT.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=ReportCapture-Setup-{#AppVersion}
SetupIconFile=report-capture.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "de"; MessagesFile: "compiler:Languages\German.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
de.DesktopIcon=Verknüpfung „Problem melden“ auf dem Desktop
en.DesktopIcon=“Problem melden” shortcut on the desktop
de.Autostart=Beim Anmelden im Infobereich starten (Erinnerungen an Support-Zeiten)
en.Autostart=Start in the notification area at sign-in (support-hours reminders)
de.Shortcuts=Verknüpfungen:
en.Shortcuts=Shortcuts:
de.DraftsShortcut=Report Capture – Entwürfe und Postausgang
en.DraftsShortcut=Report Capture – drafts and outbox

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; GroupDescription: "{cm:Shortcuts}"
Name: "autostart"; Description: "{cm:Autostart}"; GroupDescription: "{cm:Shortcuts}"; Flags: unchecked

[Files]
Source: "..\..\dist\ReportCapture\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Dirs]
Name: "{commonappdata}\ReportCapture"

[Icons]
Name: "{autoprograms}\{#ShortcutName}"; Filename: "{app}\{#AppExe}"; Parameters: "report"; IconFilename: "{app}\{#AppExe}"; Comment: "Problem an den Flexperto-Support melden"
Name: "{autoprograms}\{cm:DraftsShortcut}"; Filename: "{app}\{#AppExe}"; IconFilename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#ShortcutName}"; Filename: "{app}\{#AppExe}"; Parameters: "report"; IconFilename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; Start at sign-in for every user of the machine, in the background (tray icon only). Agents can
; switch their own start-at-login in the app's settings (HKCU); this is the machine-wide default.
Root: HKLM; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "ReportCapture"; ValueData: """{app}\{#AppExe}"" --background"; Flags: uninsdeletevalue; Tasks: autostart

[Run]
Filename: "{app}\{#AppExe}"; Parameters: "--self-test"; Flags: runhidden waituntilterminated; StatusMsg: "Report Capture: Selbsttest …"
Filename: "{app}\{#AppExe}"; Description: "{#ShortcutName}"; Flags: nowait postinstall skipifsilent

[Code]
function OrganisationConfigSource(): String;
var
  Given: String;
begin
  Given := ExpandConstant('{param:CONFIG|}');
  if Given <> '' then
    Result := Given
  else if FileExists(ExpandConstant('{src}\config.toml')) then
    Result := ExpandConstant('{src}\config.toml')
  else
    Result := '';
end;

procedure CurStepChanged(CurStep: TSetupStep);
var
  Source, Target: String;
begin
  if CurStep = ssPostInstall then
  begin
    Source := OrganisationConfigSource();
    if Source <> '' then
    begin
      Target := ExpandConstant('{commonappdata}\ReportCapture\config.toml');
      if not FileExists(Source) then
        MsgBox('Die Organisationskonfiguration ' + Source + ' wurde nicht gefunden; die App startet mit den Standardwerten.', mbError, MB_OK)
      else if not FileCopy(Source, Target, False) then
        MsgBox('Die Organisationskonfiguration konnte nicht nach ' + Target + ' kopiert werden.', mbError, MB_OK);
    end;
  end;
end;
